from webscaffold.cli import main

main()
