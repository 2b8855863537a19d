"""A server whose safe tool fails."""

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

app = MCPServer("tool-error")


@app.tool()
def status() -> dict:
    """Report the status."""
    raise ToolError("the backend is unreachable")


if __name__ == "__main__":
    app.run()
