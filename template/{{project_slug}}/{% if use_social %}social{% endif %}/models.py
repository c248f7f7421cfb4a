"""Profiles, follows, posts, notifications; the database refuses duplicate and self-follows."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from ..accounts.models import User


class Profile(models.Model):
    """What a user shows the network about themselves; one per user, made at sign-up."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    bio = models.TextField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.user.get_username()

    def get_absolute_url(self) -> str:
        return reverse("social:profile", kwargs={"username": self.user.get_username()})


class Follow(models.Model):
    """`follower` sees `followed`'s posts in their feed."""

    follower = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="following"
    )
    followed = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followers"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("follower", "followed"), name="social_follow_unique_pair"
            ),
            models.CheckConstraint(
                condition=~models.Q(follower=models.F("followed")), name="social_follow_not_self"
            ),
        )

    def __str__(self) -> str:
        return f"{self.follower} follows {self.followed}"


class PostQuerySet(models.QuerySet["Post"]):
    """Post queries the pages share."""

    def feed_for(self, user: User) -> "PostQuerySet":
        """Posts by the people `user` follows, newest first."""
        followed = Follow.objects.filter(follower=user).values("followed")
        return self.filter(author__in=followed).select_related("author").order_by(*Post.NEWEST)


class Post(models.Model):
    """A short text a user shares with their followers."""

    NEWEST = ("-created_at", "-pk")

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="posts"
    )
    body = models.TextField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at", "-pk")
        indexes = (
            models.Index(fields=("author", "-created_at"), name="social_post_author_newest"),
        )
        constraints = (
            models.CheckConstraint(condition=~models.Q(body=""), name="social_post_not_empty"),
        )

    def __str__(self) -> str:
        return f"{self.author}: {self.body[:40]}"


class NotificationQuerySet(models.QuerySet["Notification"]):
    """Notification queries and the fan-out that makes them."""

    BATCH_SIZE = 500  # rows per INSERT: bounded memory and statement size for any follower count

    def notify_followers(self, post: Post) -> int:
        """Notify each of the author's followers of `post`; returns how many followers it covered.

        Safe to run twice (a redelivered task): a follower has at most one notification a post.
        """
        followers = (
            Follow.objects.filter(followed_id=post.author_id)
            .order_by("pk")
            .values_list("follower_id", flat=True)
        )
        covered = 0
        batch: list[Notification] = []
        for follower_id in followers.iterator(chunk_size=self.BATCH_SIZE):
            batch.append(Notification(recipient_id=follower_id, post=post))
            if len(batch) == self.BATCH_SIZE:
                self.bulk_create(batch, ignore_conflicts=True)
                covered, batch = covered + len(batch), []
        if batch:
            self.bulk_create(batch, ignore_conflicts=True)
        return covered + len(batch)

    def unread(self) -> "NotificationQuerySet":
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """An in-app notice to `recipient` that someone they follow posted `post`."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="notifications")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at", "-pk")
        constraints = (
            models.UniqueConstraint(
                fields=("recipient", "post"), name="social_notification_once_per_post"
            ),
        )

    def __str__(self) -> str:
        return f"{self.recipient}: new post by {self.post.author}"
