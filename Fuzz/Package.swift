// swift-tools-version:6.2
// libFuzzer targets for Kiln's readers of untrusted text. Built only by `scripts/fuzz`, which passes
// `-sanitize=fuzzer,address`; each target's `main` hands over to libFuzzer's driver. The main package's
// `swift build` and `swift test` never see this package.
import PackageDescription

let package = Package(
    name: "kiln-fuzz",
    dependencies: [.package(name: "kiln", path: "..")],
    targets: [
        .target(name: "FuzzDriver"),
        .target(name: "FuzzSupport", dependencies: ["FuzzDriver"]),
        .executableTarget(
            name: "FuzzPipelineFile",
            dependencies: ["FuzzSupport", .product(name: "PipelineFile", package: "kiln"), .product(name: "PipelineModel", package: "kiln")]),
        .executableTarget(name: "FuzzExpression", dependencies: ["FuzzSupport", .product(name: "PipelineModel", package: "kiln")]),
        .executableTarget(name: "FuzzSchedule", dependencies: ["FuzzSupport", .product(name: "PipelineModel", package: "kiln")]),
        .executableTarget(name: "FuzzCSV", dependencies: ["FuzzSupport", .product(name: "Tabular", package: "kiln")]),
    ]
)
