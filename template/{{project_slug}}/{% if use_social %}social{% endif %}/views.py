"""The feed, people, profiles, posting and following."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from ..accounts.http import AuthenticatedHttpRequest
from ..accounts.models import User
from .forms import PostForm
from .models import Follow, Post
from .notifications import announce

PAGE_SIZE = 20


@login_required
@require_safe
def feed(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Posts by the people the user follows, newest first, a page at a time."""
    page = Paginator(Post.objects.feed_for(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request, "social/feed.html", {"page_obj": page, "posts": page, "form": PostForm()}
    )


@login_required
@require_POST
def create_post(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Publish a post; it shows on the author's profile and in their followers' feeds."""
    form = PostForm(request.POST)
    if form.is_valid():
        form.instance.author = request.user
        announce(form.save())
        messages.success(request, "Posted.")
    else:
        messages.error(request, "A post needs some text (500 characters at most).")
    return redirect("social:profile", username=request.user.get_username())


@require_safe
def people(request: HttpRequest) -> HttpResponse:
    """Everyone on the network, a page at a time."""
    users = User.objects.filter(is_active=True).select_related("profile").order_by("username")
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "social/people.html", {"page_obj": page, "people": page})


@require_safe
def profile(request: HttpRequest, username: str) -> HttpResponse:
    """A user's profile and latest posts."""
    person = get_object_or_404(User.objects.select_related("profile"), username=username)
    follows = (
        request.user.is_authenticated
        and Follow.objects.filter(follower=request.user.pk, followed=person).exists()
    )
    context = {
        "person": person,
        "posts": person.posts.order_by(*Post.NEWEST)[:PAGE_SIZE],
        "follows": follows,
        "followers": person.followers.count(),
        "following": person.following.count(),
    }
    return render(request, "social/profile.html", context)


@login_required
@require_POST
def follow(request: AuthenticatedHttpRequest, username: str) -> HttpResponse:
    """Follow someone (yourself excepted; following twice changes nothing)."""
    person = get_object_or_404(User, username=username)
    try:
        with transaction.atomic():
            Follow.objects.get_or_create(follower=request.user, followed=person)
    except IntegrityError:  # the database's no-self-follow rule
        messages.error(request, "You cannot follow yourself.")
    return redirect("social:profile", username=username)


@login_required
@require_POST
def unfollow(request: AuthenticatedHttpRequest, username: str) -> HttpResponse:
    """Stop following someone."""
    Follow.objects.filter(follower=request.user, followed__username=username).delete()
    return redirect("social:profile", username=username)
