"""todo-dapr tooling: render the chart's profiles, validate the output, publish the chart."""

__version__ = "0.1.0"
