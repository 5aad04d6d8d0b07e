import WeftCLI

await WeftMain.main()
