import Foundation

/// `weft-bench SUITE [ARGS…]`: benchmarks of Weft's parts.
let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "engine":
    exit(await EngineBenchmark.run(arguments: Array(arguments.dropFirst())))
case "foundation":
    exit(await FoundationBenchmark.run(arguments: Array(arguments.dropFirst())))
case "run-command":
    exit(await RunCommandBenchmark.run(arguments: Array(arguments.dropFirst())))
case "release":
    exit(await ReleaseBenchmark.run(arguments: Array(arguments.dropFirst())))
case "tui":
    exit(await TUIBenchmark.run(arguments: Array(arguments.dropFirst())))
default:
    FileHandle.standardError.write(Data("usage: weft-bench engine [--runs N] [--keep] | foundation [--samples N] [--keep] | run-command [--samples N] [--keep] | release [--samples N] [--full N] [--keep] | tui [options]\n".utf8))
    exit(2)
}
