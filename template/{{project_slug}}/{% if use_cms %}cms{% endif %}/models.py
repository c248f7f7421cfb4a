"""Page types editors create in the Wagtail admin (/cms/); Wagtail serves them under /pages/."""

from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index


class HomePage(Page):
    """The root of the site's pages (made by a migration); lists the pages under it."""

    intro = RichTextField(blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = ["cms.StandardPage"]
    max_count = 1


class StandardPage(Page):
    """A page of text: an article, a blog post, an "about us"."""

    date = models.DateField("published on", null=True, blank=True)
    intro = models.CharField(max_length=250, blank=True)
    body = RichTextField(blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("date"),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["cms.HomePage", "cms.StandardPage"]
    subpage_types = ["cms.StandardPage"]
