"""Developer tools that are not part of the shipped bot: benchmarks and the dependency audit."""
