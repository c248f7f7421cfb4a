"""Profiles, follows, posts and notifications in the admin."""

from django.contrib import admin

from .models import Follow, Notification, Post, Profile


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin[Profile]):
    """Profiles, found by user name or email."""

    list_display = ("user", "created_at")
    search_fields = ("user__username", "user__email", "bio")
    list_select_related = ("user",)
    raw_id_fields = ("user",)


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin[Follow]):
    """Who follows whom."""

    list_display = ("follower", "followed", "created_at")
    search_fields = ("follower__username", "followed__username")
    list_filter = ("created_at",)
    list_select_related = ("follower", "followed")
    raw_id_fields = ("follower", "followed")


@admin.register(Post)
class PostAdmin(admin.ModelAdmin[Post]):
    """Posts, newest first, for moderation."""

    list_display = ("author", "excerpt", "created_at")
    search_fields = ("body", "author__username")
    list_filter = ("created_at",)
    list_select_related = ("author",)
    date_hierarchy = "created_at"
    raw_id_fields = ("author",)

    @admin.display(description="post")
    def excerpt(self, post: Post) -> str:
        return post.body[:80]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin[Notification]):
    """Notifications of new posts, newest first."""

    list_display = ("recipient", "post", "created_at", "read_at")
    list_select_related = ("recipient", "post__author")
    raw_id_fields = ("recipient", "post")
