// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Weft",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "weft", targets: ["weft"]),
        .executable(name: "weft-bench", targets: ["weft-bench"]),
        .executable(name: "weft-launcher", targets: ["weft-launcher"]),
        .library(name: "WeftDomain", targets: ["WeftDomain"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // Value types, rules, permission policy, planners, cron, client protocols. No I/O.
        .target(name: "WeftDomain"),
        // SQLite metastore (GRDB), git-backed projects (Yams), secrets, identity; the Workspace service.
        .target(
            name: "WeftStore",
            dependencies: [
                "WeftDomain", "CPosix",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ],
            resources: [.copy("Demo/customer_analytics")]
        ),
        // Engines that run jobs: the local process engine and the scheduler.
        .target(name: "WeftEngine", dependencies: ["WeftDomain", "WeftStore", "CPosix"]),
        // Small C shim for posix_spawn with process groups and signal helpers.
        .target(name: "CPosix"),
        // Terminal layer with no curses in it: cells, buffer, styles, layout, widgets, keys.
        .target(name: "TerminalUI"),
        // ncursesw C shim (wide-character API, macros, signal-safe restore).
        .target(name: "CNCursesw", linkerSettings: [.linkedLibrary("ncursesw")]),
        // The ncursesw backend of TerminalUI.
        .target(name: "TerminalUICurses", dependencies: ["TerminalUI", "CNCursesw"]),
        // The TUI: state, messages, update, effects, panes, keymap, themes.
        .target(
            name: "WeftApp",
            dependencies: [
                "WeftDomain", "WeftStore", "WeftEngine", "TerminalUI",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The command-line interface: one file per subcommand, thin over the domain.
        .target(
            name: "WeftCLI",
            dependencies: [
                "WeftDomain", "WeftStore", "WeftEngine", "WeftApp", "TerminalUICurses",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "weft", dependencies: ["WeftCLI", "CPosix"]),
        // A run's task launcher as a small C program (the same loop as `weft __task-launcher`), installed beside weft.
        .executableTarget(name: "weft-launcher", dependencies: ["CPosix"]),
        .executableTarget(name: "weft-bench", dependencies: ["WeftDomain", "WeftStore", "WeftEngine", "WeftCLI"]),

        .testTarget(name: "WeftDomainTests", dependencies: ["WeftDomain"]),
        .testTarget(name: "WeftStoreTests", dependencies: ["WeftDomain", "WeftStore"]),
        .testTarget(
            name: "WeftEngineTests",
            dependencies: ["WeftDomain", "WeftStore", "WeftEngine", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "TerminalUITests", dependencies: ["TerminalUI"]),
        .testTarget(name: "WeftAppTests", dependencies: ["WeftApp", "TerminalUI", "WeftStore", "WeftEngine"]),
        .testTarget(name: "WeftCLITests", dependencies: ["WeftCLI", "WeftStore", "WeftDomain", "WeftEngine"]),
    ],
    swiftLanguageModes: [.v6]
)
