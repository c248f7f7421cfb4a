"""The social network: profiles, follows, posts and the feed."""
