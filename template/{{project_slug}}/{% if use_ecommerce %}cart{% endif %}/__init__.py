"""The shopping cart, kept in the visitor's session until checkout."""
