// swift-tools-version:6.0
import PackageDescription

/// Every target is compiled in the Swift 6 language mode (strict concurrency) with the same
/// settings, set once here so no target drifts. CI sets GEOSTREAM_WARNINGS_AS_ERRORS so a warning
/// fails the build there (only our targets: dependencies are compiled with warnings suppressed).
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
] + (Context.environment["GEOSTREAM_WARNINGS_AS_ERRORS"] != nil ? [.unsafeFlags(["-warnings-as-errors"])] : [])

let package = Package(
    name: "geostream",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "geostream", targets: ["geostream"]),
        .library(name: "GeoCore", targets: ["GeoCore"]),
        .library(name: "SpatialIndex", targets: ["SpatialIndex"]),
        .library(name: "Wire", targets: ["Wire"]),
        .library(name: "Transport", targets: ["Transport"]),
        .library(name: "Operators", targets: ["Operators"]),
        .library(name: "Runtime", targets: ["Runtime"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // C libraries, each behind exactly one system-library target.
        .systemLibrary(
            name: "CZeroMQ",
            providers: [.apt(["libzmq3-dev"])]
        ),
        .systemLibrary(
            name: "CLZ4",
            pkgConfig: "liblz4",
            providers: [.apt(["liblz4-dev"])]
        ),

        // Pure layers: no I/O.
        .target(name: "GeoCore", swiftSettings: strictSettings),
        .target(name: "SpatialIndex", dependencies: ["GeoCore"], swiftSettings: strictSettings),

        // Wire formats (events, readers, binary frames) and the ZeroMQ transport.
        .target(name: "CCRC32C"),
        .target(name: "Wire", dependencies: ["GeoCore", "CLZ4", "CCRC32C"], swiftSettings: strictSettings),
        .target(name: "Transport", dependencies: ["CZeroMQ"], swiftSettings: strictSettings),

        // Operators: pure functions of (state, batch) -> (state, results); no sockets, files or clocks.
        .target(name: "Operators", dependencies: ["GeoCore", "SpatialIndex", "Wire"], swiftSettings: strictSettings),

        // Stages that do I/O: pipeline files, source, router, workers, publisher, supervisor.
        .target(
            name: "Runtime",
            dependencies: ["GeoCore", "SpatialIndex", "Wire", "Transport", "Operators", .product(name: "Yams", package: "Yams")],
            swiftSettings: strictSettings
        ),

        // Seeded generators and brute-force references shared by tests and benchmarks.
        .target(name: "TestSupport", dependencies: ["GeoCore", "SpatialIndex"], swiftSettings: strictSettings),

        .executableTarget(
            name: "geostream",
            dependencies: [
                "GeoCore", "SpatialIndex", "Wire", "Transport", "Operators", "Runtime",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "geostream-bench",
            dependencies: ["GeoCore", "SpatialIndex", "Wire", "Transport", "Operators", "Runtime", "TestSupport"],
            swiftSettings: strictSettings
        ),

        .testTarget(name: "GeoCoreTests", dependencies: ["GeoCore", "TestSupport"], swiftSettings: strictSettings),
        .testTarget(name: "SpatialIndexTests", dependencies: ["SpatialIndex", "GeoCore", "TestSupport"], swiftSettings: strictSettings),
        .testTarget(name: "WireTests", dependencies: ["Wire", "GeoCore", "TestSupport"], exclude: ["Fixtures"], swiftSettings: strictSettings),
        .testTarget(name: "TransportTests", dependencies: ["Transport"], swiftSettings: strictSettings),
        .testTarget(name: "OperatorsTests", dependencies: ["Operators", "Wire", "GeoCore", "TestSupport"], swiftSettings: strictSettings),
        .testTarget(name: "RuntimeTests", dependencies: ["Runtime", "Operators", "Wire", "Transport", "GeoCore", "TestSupport"], swiftSettings: strictSettings),
        .testTarget(name: "CLITests", dependencies: ["geostream", "Wire", "Transport"], exclude: ["Expected"], swiftSettings: strictSettings),
        .testTarget(name: "SystemLibraryTests", dependencies: ["CZeroMQ", "CLZ4"], swiftSettings: strictSettings),
    ]
)
