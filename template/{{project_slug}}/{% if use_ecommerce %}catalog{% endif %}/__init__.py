"""The catalogue: categories and the products the shop sells."""
