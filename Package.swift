// swift-tools-version:6.2
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    // Generic types are instantiated through their metadata accessors, given the conformances they need, instead of
    // from mangled names, which the runtime resolves by looking the conformances up: the first lookup of each one
    // walks all 12,600 conformance records of the binary. About a tenth of a short `kiln run` went to those walks.
    .unsafeFlags(["-Xfrontend", "-disable-concrete-type-metadata-mangled-name-accessors"]),
]

let package = Package(
    name: "kiln",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "kiln", targets: ["kiln"]),
        .library(name: "PipelineModel", targets: ["PipelineModel"]),
        .library(name: "PipelineEngine", targets: ["PipelineEngine"]),
        .library(name: "PipelineFile", targets: ["PipelineFile"]),
        .library(name: "CommandTasks", targets: ["CommandTasks"]),
        .library(name: "MLTasks", targets: ["MLTasks"]),
        .library(name: "DeploymentTasks", targets: ["DeploymentTasks"]),
        .library(name: "SQLiteData", targets: ["SQLiteData"]),
        .library(name: "PipelineStoreSQLite", targets: ["PipelineStoreSQLite"]),
        .library(name: "PipelineStorePostgres", targets: ["PipelineStorePostgres"]),
        .library(name: "ArtifactStores", targets: ["ArtifactStores"]),
        .library(name: "PipelineTesting", targets: ["PipelineTesting"]),
        .library(name: "PipelineTestRunner", targets: ["PipelineTestRunner"]),
        .library(name: "Reproduction", targets: ["Reproduction"]),
        .library(name: "PipelineScheduler", targets: ["PipelineScheduler"]),
        .library(name: "ModelRegistry", targets: ["ModelRegistry"]),
        .library(name: "Notifications", targets: ["Notifications"]),
        .library(name: "Tabular", targets: ["Tabular"]),
        .library(name: "DataValidation", targets: ["DataValidation"]),
        .library(name: "Features", targets: ["Features"]),
        .library(name: "ClassificationMetrics", targets: ["ClassificationMetrics"]),
        .library(name: "BoostedTrees", targets: ["BoostedTrees"]),
        .library(name: "LinearModels", targets: ["LinearModels"]),
        .library(name: "DriftStatistics", targets: ["DriftStatistics"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.0"),
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
        .target(name: "ModelRegistry", dependencies: ["PipelineModel"], swiftSettings: swiftSettings),
        .target(name: "DataValidation", dependencies: ["Tabular"]),
        .target(name: "Features", dependencies: ["Tabular"]),
        .target(name: "ClassificationMetrics", swiftSettings: swiftSettings),
        .target(name: "CPrefetch"),
        .target(name: "BoostedTrees", dependencies: ["CPrefetch"], swiftSettings: swiftSettings),
        .target(name: "LinearModels", swiftSettings: swiftSettings),
        .target(name: "DriftStatistics", swiftSettings: swiftSettings),
        // Layer 3: what builds on the engine and the registry, each with one job.
        .target(
            name: "PipelineFile",
            dependencies: ["PipelineModel", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CommandTasks",
            dependencies: [
                "PipelineModel", "PipelineEngine", .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system", condition: .when(platforms: [.linux])),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "MLTasks",
            dependencies: [
                "PipelineModel", "PipelineEngine", "ModelRegistry", "PipelineScheduler", "Tabular", "DataValidation",
                "Features", "BoostedTrees", "LinearModels", "ClassificationMetrics", "DriftStatistics",
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "DeploymentTasks",
            dependencies: ["PipelineModel", "PipelineEngine", "ModelRegistry", "MLTasks", "CommandTasks"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "PipelineScheduler",
            dependencies: [
                "PipelineModel", "PipelineEngine", "ModelRegistry",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Notifications",
            dependencies: [
                "PipelineModel", "PipelineEngine",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ArtifactStores",
            dependencies: [
                "PipelineModel", "PipelineEngine",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SQLiteData",
            dependencies: ["Tabular", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings
        ),
        // Layer 4: backends of the ports above, and test support.
        .target(
            name: "PipelineStoreSQLite",
            dependencies: [
                "PipelineModel", "PipelineEngine", "ModelRegistry", "PipelineScheduler",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "PipelineStorePostgres",
            dependencies: [
                "PipelineModel", "PipelineEngine", "ModelRegistry", "PipelineScheduler",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "PipelineTesting",
            dependencies: ["PipelineModel", "PipelineEngine", "ModelRegistry", "PipelineScheduler"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "KilnOperations",
            dependencies: ["PipelineModel", "PipelineEngine", "ModelRegistry", "PipelineScheduler", "DeploymentTasks"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "KilnHTTP",
            dependencies: [
                "PipelineModel", "PipelineEngine", "ModelRegistry", "PipelineScheduler", "KilnOperations", "MLTasks",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Layer 6: tests of users' pipelines, runnable from the CLI (`kiln test`).
        .target(
            name: "PipelineTestRunner",
            dependencies: [
                "PipelineModel", "PipelineEngine", "PipelineFile", "PipelineTesting", "PipelineStoreSQLite", "ModelRegistry",
                "MLTasks", "Tabular", "Notifications",
            ],
            swiftSettings: swiftSettings
        ),
        // Layer 7: rebuilding a registered version in a sandbox and explaining what differs (`kiln reproduce`).
        .target(
            name: "Reproduction",
            dependencies: ["PipelineModel", "PipelineEngine", "ModelRegistry", "PipelineTestRunner", "MLTasks", "Tabular"],
            swiftSettings: swiftSettings
        ),
        // Layer 8: executables (composition roots).
        .executableTarget(
            name: "kiln",
            dependencies: [
                "PipelineModel", "PipelineEngine", "PipelineFile", "CommandTasks", "MLTasks", "DeploymentTasks",
                "PipelineStoreSQLite", "PipelineStorePostgres", "SQLiteData", "ModelRegistry", "Tabular", "Notifications",
                "PipelineScheduler", "PipelineTestRunner", "Reproduction", "KilnOperations", "KilnHTTP", "ArtifactStores",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings,
            // SwiftPM exports every symbol of an executable on Linux (about 60,000 here). Nothing looks them up, and
            // the Swift runtime's start-up `dladdr` walks them all: about 1 ms of every `kiln` process. Crash
            // backtraces still name functions (they read the file's own symbol table).
            linkerSettings: [.unsafeFlags(["-Xlinker", "--no-export-dynamic"], .when(platforms: [.linux]))]
        ),
        .executableTarget(
            name: "kiln-bench",
            dependencies: [
                "PipelineModel", "PipelineEngine", "PipelineFile", "CommandTasks", "PipelineStoreSQLite",
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system", condition: .when(platforms: [.linux])),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "kiln-ml-bench",
            dependencies: ["ClassificationMetrics", "BoostedTrees", "LinearModels", "DriftStatistics", "Tabular"],
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")]
        ),
        .executableTarget(
            name: "kiln-example-swift",
            dependencies: ["PipelineModel", "PipelineEngine", "CommandTasks", "PipelineStoreSQLite"],
            path: "Examples/swift-pipeline",
            swiftSettings: swiftSettings
        ),
        // Tests.
        .testTarget(name: "PipelineModelTests", dependencies: ["PipelineModel"], swiftSettings: swiftSettings),
        .testTarget(
            name: "PipelineEngineTests",
            dependencies: ["PipelineModel", "PipelineEngine", "PipelineTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PipelineFileTests", dependencies: ["PipelineFile", "PipelineModel", "PipelineTesting"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "PipelineStoreSQLiteTests",
            dependencies: ["PipelineModel", "PipelineEngine", "PipelineStoreSQLite", "PipelineTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PipelineStorePostgresTests",
            dependencies: [
                "PipelineModel", "PipelineEngine", "PipelineScheduler", "ModelRegistry", "PipelineStorePostgres",
                "PipelineTesting", .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TaskKindsTests",
            dependencies: [
                "PipelineModel", "PipelineEngine", "CommandTasks", "MLTasks", "DeploymentTasks", "SQLiteData", "PipelineFile",
                "PipelineTesting", "ModelRegistry", "Tabular", "BoostedTrees", "DriftStatistics", "PipelineScheduler", "LinearModels",
                .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PipelineSchedulerTests",
            dependencies: [
                "PipelineScheduler", "PipelineModel", "PipelineEngine", "PipelineTesting", "PipelineStoreSQLite",
                "ModelRegistry", "SQLiteData", .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ModelRegistryTests",
            dependencies: ["ModelRegistry", "PipelineStoreSQLite", "PipelineTesting", "PipelineModel", "PipelineEngine"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KilnCLITests",
            dependencies: [
                "PipelineStoreSQLite", "PipelineStorePostgres", "ModelRegistry", "PipelineEngine", "PipelineModel",
                "PipelineTesting",
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PipelineTestRunnerTests",
            dependencies: [
                "PipelineTestRunner", "PipelineModel", "PipelineEngine", "PipelineFile", "CommandTasks", "MLTasks",
                "DeploymentTasks", "ModelRegistry", "PipelineStoreSQLite", "PipelineTesting",
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ReproductionTests",
            dependencies: [
                "Reproduction", "PipelineTestRunner", "PipelineEngine", "PipelineModel", "ModelRegistry", "PipelineStoreSQLite",
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "NotificationsTests",
            dependencies: [
                "Notifications", "PipelineTesting", "PipelineModel", "PipelineEngine",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KilnHTTPTests",
            dependencies: [
                "KilnHTTP", "KilnOperations", "PipelineModel", "PipelineEngine", "PipelineScheduler", "PipelineTesting",
                "ModelRegistry", "CommandTasks", "DeploymentTasks", "MLTasks", "LinearModels", "Tabular",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ErrorMessagesTests",
            dependencies: [
                "ArtifactStores", "BoostedTrees", "ClassificationMetrics", "DataValidation", "DeploymentTasks", "DriftStatistics", "Features",
                "LinearModels", "MLTasks", "ModelRegistry", "PipelineEngine", "PipelineFile", "PipelineModel",
                "PipelineScheduler", "PipelineStoreSQLite", "PipelineStorePostgres", "PipelineTesting", "SQLiteData", "Tabular",
                "KilnHTTP", "KilnOperations", "PipelineTestRunner", "Reproduction", .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KilnOperationsTests",
            dependencies: ["KilnOperations", "ModelRegistry", "PipelineEngine", "PipelineModel", "PipelineTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ArtifactStoresTests",
            dependencies: [
                "ArtifactStores", "PipelineEngine", "PipelineTesting", .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "TabularTests", dependencies: ["Tabular"], resources: [.copy("Fixtures")]),
        .testTarget(name: "DataValidationTests", dependencies: ["DataValidation", "Tabular"]),
        .testTarget(name: "FeaturesTests", dependencies: ["Features", "Tabular"]),
        .testTarget(name: "ClassificationMetricsTests", dependencies: ["ClassificationMetrics"], exclude: ["Fixtures"], swiftSettings: swiftSettings),
        .testTarget(name: "BoostedTreesTests", dependencies: ["BoostedTrees"], exclude: ["Fixtures"], swiftSettings: swiftSettings),
        .testTarget(name: "LinearModelsTests", dependencies: ["LinearModels"], exclude: ["Fixtures"], swiftSettings: swiftSettings),
        .testTarget(
            name: "DriftStatisticsTests", dependencies: ["DriftStatistics"], exclude: ["Fixtures"], swiftSettings: swiftSettings),
    ]
)
