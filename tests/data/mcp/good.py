"""A well-behaved MCP server: two tools, a resource, a prompt."""

from mcp.server.mcpserver import MCPServer
from typing_extensions import TypedDict

app = MCPServer("good")


class Sum(TypedDict):
    total: int


@app.tool()
def add(a: int, b: int) -> Sum:
    """Add two numbers."""
    return {"total": a + b}


@app.tool()
def shout(text: str) -> str:
    """Upper-case a text."""
    return text.upper()


@app.resource("config://app")
def config() -> str:
    """The app's configuration."""
    return "debug=false"


@app.prompt()
def review(code: str) -> str:
    """Ask for a review."""
    return f"Review this: {code}"


if __name__ == "__main__":
    app.run()
