"""Chat rooms the API's WebSockets serve: who owns each, who may join."""
