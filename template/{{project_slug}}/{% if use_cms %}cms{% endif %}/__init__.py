"""The CMS: Wagtail page types, edited at /cms/ and served under /pages/."""
