"""Publishers: they only send what a renderer made (GitHub, Slack)."""
