import Foundation
import GeoCore
import Operators
import Runtime
import Transport
import XCTest

/// Live queries with every stage in its own process (`run --processes`, through `ProcessPipeline`
/// and the built `geostream` binary): the gateway runs in the publisher's process, workers answer
/// over tcp, and the answers equal the same brute-force scan as in embedded mode.
final class QueryProcessTests: XCTestCase {
    /// The `geostream` built next to this test bundle.
    static var binary: String {
        var directory = Bundle.main.bundleURL
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            directory = bundle.bundleURL.deletingLastPathComponent()
        }
        return directory.appendingPathComponent("geostream").path
    }

    /// The pipeline file the children load (the loader has no `query:` key yet: the supervisor's
    /// spec carries it to them through the wiring file).
    static func yaml(workers: Int, by: PartitionSpec.By, input: String) -> String {
        """
        name: query-test
        input: { endpoint: "\(input)" }
        bbox: [\(QueryScenario.bbox.minX), \(QueryScenario.bbox.minY), \(QueryScenario.bbox.maxX), \(QueryScenario.bbox.maxY)]
        window: { size: 20s, slide: 4s, lateness: 1500ms }
        stages:
          - { name: heat, operator: heatmap, partition: { by: \(by.rawValue), workers: \(workers) }, cell: 1000m }
          - { name: zones, operator: heatmap, partition: { by: \(by.rawValue), workers: \(workers) }, cell: 500m }
        output: { endpoint: "tcp://127.0.0.1:*" }
        """
    }

    func assertProcessesAnswerLikeABruteForceScan(workers: Int, by: PartitionSpec.By, seed: UInt64, count: Int) throws {
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: Self.binary), "build geostream first: \(Self.binary)")
        let context = try MessagingContext()
        defer { context.terminate() }
        let input = "tcp://127.0.0.1:\(try QueryTestDriver.freePort())"
        let endpoint = "tcp://127.0.0.1:\(try QueryTestDriver.freePort())"
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("geostream-query-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("pipeline.yaml").path
        try Self.yaml(workers: workers, by: by, input: input).write(toFile: path, atomically: true, encoding: .utf8)
        var spec = try PipelineLoader.load(path: path)
        spec.query = QuerySpec(endpoint: endpoint, stage: "zones")
        XCTAssertEqual(spec.stages.map(\.partition.workers), [workers, workers])

        var options = ProcessPipeline.Options(executable: Self.binary)
        options.publishEndpoint = "tcp://127.0.0.1:*"
        options.workDirectory = directory.path
        let runOptions = options, runSpec = spec
        let finished = DispatchSemaphore(value: 0)
        let failure = LockedText()
        Thread {
            do { try ProcessPipeline.run(runSpec, pipelinePath: path, options: runOptions) } catch { failure.set("\(error)") }
            finished.signal()
        }.start()

        let scenario = QueryScenario(seed: seed, count: count)
        var bodyError: (any Error)?
        do {
            try QueryTestDriver.push(scenario.lines, to: input, context: context, end: false)
            let first = try QueryTestDriver.waitForWindow(scenario.expectedWindowEnd, workers: workers, endpoint: endpoint, context: context, seconds: 60)
            XCTAssertEqual(first.workers.map(\.worker), (0..<workers).map { "zones/\($0)" })
            for request in QueryScenario.requests(seed: seed &+ 1) {
                let reply = try QueryClient.ask(request, endpoint: endpoint, context: context)
                assertSameLines(reply.lines, scenario.bruteForce(request), "--processes, \(workers) worker(s) by \(by): \(request.json)")
            }
        } catch {
            bodyError = error
        }
        try QueryTestDriver.push([], to: input, context: context, end: true)
        XCTAssertEqual(finished.wait(timeout: .now() + 60), .success, "the pipeline did not end")
        XCTAssertNil(failure.text)
        if let bodyError { throw bodyError }
    }

    func testThreeWorkerProcessesBySpaceAnswerLikeABruteForceScan() throws {
        // More than the source's 8,192-event sample, so by-space routing starts before the end.
        try assertProcessesAnswerLikeABruteForceScan(workers: 3, by: .space, seed: 21, count: 9_000)
    }

    func testOneWorkerProcessByIdAnswersLikeABruteForceScan() throws {
        try assertProcessesAnswerLikeABruteForceScan(workers: 1, by: .id, seed: 22, count: 3_000)
    }

    func testThreeWorkerProcessesByIdAnswerLikeABruteForceScan() throws {
        try assertProcessesAnswerLikeABruteForceScan(workers: 3, by: .id, seed: 23, count: 3_000)
    }
}

private final class LockedText: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: String?
    func set(_ text: String) { lock.withLock { stored = text } }
    var text: String? { lock.withLock { stored } }
}
