import CPosix
import Glibc
import WeftCLI

// The task launcher of a run (started by the local engine, inside the run's sandbox): no Swift start-up work.
if CommandLine.arguments.count == 3, CommandLine.arguments[1] == "__task-launcher", let fd = Int32(CommandLine.arguments[2]) {
    exit(weft_launcher_main(fd))
}

await WeftMain.main()
