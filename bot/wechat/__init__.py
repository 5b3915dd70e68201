"""WeChat Official Account transport: protocol (signatures, AES), parsing, webhook, replies, outbound API."""
