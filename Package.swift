// swift-tools-version:6.2
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "kiln",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "kiln", targets: ["kiln"]),
        .library(name: "PipelineModel", targets: ["PipelineModel"]),
        .library(name: "PipelineEngine", targets: ["PipelineEngine"]),
        .library(name: "PipelineFile", targets: ["PipelineFile"]),
        .library(name: "PipelineTasks", targets: ["PipelineTasks"]),
        .library(name: "PipelineStoreSQLite", targets: ["PipelineStoreSQLite"]),
        .library(name: "PipelineTesting", targets: ["PipelineTesting"]),
        .library(name: "Notifications", targets: ["Notifications"]),
        .library(name: "Tabular", targets: ["Tabular"]),
        .library(name: "DataValidation", targets: ["DataValidation"]),
        .library(name: "Features", targets: ["Features"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // Layer 1: pure values.
        .target(name: "PipelineModel", swiftSettings: swiftSettings),
        .target(name: "Tabular"),
        // Layer 2: the engine and its ports; the numeric modules (plain libraries, usable alone).
        .target(
            name: "PipelineEngine",
            dependencies: [
                "PipelineModel",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(name: "DataValidation", dependencies: ["Tabular"]),
        .target(name: "Features", dependencies: ["Tabular"]),
        // Layer 3: adapters.
        .target(
            name: "PipelineFile",
            dependencies: ["PipelineModel", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "PipelineTasks",
            dependencies: [
                "PipelineEngine",
                .product(name: "Subprocess", package: "swift-subprocess"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "PipelineStoreSQLite",
            dependencies: ["PipelineEngine", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings
        ),
        .target(name: "PipelineTesting", dependencies: ["PipelineEngine"], swiftSettings: swiftSettings),
        .target(
            name: "Notifications",
            dependencies: [
                "PipelineModel",
                "PipelineEngine",  // for `PipelineClock` only
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // Layer 4: executables.
        .executableTarget(
            name: "kiln",
            dependencies: [
                "PipelineFile", "PipelineTasks", "PipelineStoreSQLite",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "kiln-bench",
            dependencies: ["PipelineFile", "PipelineTasks", "PipelineStoreSQLite"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "kiln-example-swift",
            dependencies: ["PipelineTasks", "PipelineStoreSQLite"],
            path: "Examples/swift-pipeline",
            swiftSettings: swiftSettings
        ),
        // Tests.
        .testTarget(name: "PipelineModelTests", dependencies: ["PipelineModel"], swiftSettings: swiftSettings),
        .testTarget(
            name: "PipelineEngineTests",
            dependencies: ["PipelineEngine", "PipelineTesting", "PipelineTasks"],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "PipelineFileTests", dependencies: ["PipelineFile"], swiftSettings: swiftSettings),
        .testTarget(
            name: "PipelineStoreSQLiteTests",
            dependencies: ["PipelineStoreSQLite", "PipelineTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "PipelineTasksTests", dependencies: ["PipelineTasks", "PipelineTesting"], swiftSettings: swiftSettings),
        .testTarget(
            name: "NotificationsTests",
            dependencies: [
                "Notifications", "PipelineTesting",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "KilnCLITests", dependencies: [], swiftSettings: swiftSettings),
        .testTarget(name: "TabularTests", dependencies: ["Tabular"], resources: [.copy("Fixtures")]),
        .testTarget(name: "DataValidationTests", dependencies: ["DataValidation", "Tabular"]),
        .testTarget(name: "FeaturesTests", dependencies: ["Features", "Tabular"]),
    ]
)
