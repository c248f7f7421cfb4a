"""The mobile backend's records: refresh-token families and push-notification devices."""
