"""Social URLs."""

from django.urls import path

from . import views

app_name = "social"
urlpatterns = [
    path("", views.feed, name="feed"),
    path("posts/", views.create_post, name="create_post"),
    path("people/", views.people, name="people"),
    path("people/<str:username>/", views.profile, name="profile"),
    path("people/<str:username>/follow/", views.follow, name="follow"),
    path("people/<str:username>/unfollow/", views.unfollow, name="unfollow"),
]
