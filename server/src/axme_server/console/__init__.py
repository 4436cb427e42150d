"""The console at /console (spec/behavior/console.md, REQ-CONSOLE-001..011): server-rendered
pages over the same engine reads and access checks as /v1, signed in with a session cookie that
only /console accepts."""
