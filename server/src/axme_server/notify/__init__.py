"""Reaching the human (REQ-NOTIFY-*, REQ-HUMAN-021/022): notify targets, notifications
written to the outbox with the transition that causes them, the email / webhook /
slack_webhook channels, and signed decision links."""
