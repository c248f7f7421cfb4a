"""Orders: checkout turns a cart into an order, with prices captured and stock taken."""
