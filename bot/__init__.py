"""Transport and framework: settings, CLI, WeChat gateway, dispatcher, store, outbound API client."""
