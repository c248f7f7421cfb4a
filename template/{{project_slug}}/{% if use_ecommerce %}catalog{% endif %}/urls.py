"""Catalog URLs: the product list (optionally one category) and product pages."""

from django.urls import path

from . import views

app_name = "catalog"
urlpatterns = [
    path("", views.ProductListView.as_view(), name="product_list"),
    path("category/<slug:category>/", views.ProductListView.as_view(), name="category"),
    path("products/<slug:slug>/", views.ProductDetailView.as_view(), name="product_detail"),
]
