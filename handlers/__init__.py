"""The bot's behaviour: one router per feature, and all user-facing texts."""
