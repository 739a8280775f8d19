import Foundation
import GeoCore
import Operators
import Runtime
import Transport
import XCTest

/// Live queries against an embedded pipeline fed by a producer over `input.endpoint`: every verb,
/// with and without `--where`, equals a brute-force scan of the window, for 1 and 3 workers, by
/// space and by id; plus the errors a client meets.
final class QueryEmbeddedTests: XCTestCase {
    static func spec(workers: Int, by: PartitionSpec.By, input: String, query: String?) -> PipelineSpec {
        PipelineSpec(
            name: "query-test",
            input: InputSpec(endpoint: input),
            bbox: QueryScenario.bbox,
            window: QueryScenario.window,
            stages: [
                StageSpec(name: "heat", partition: PartitionSpec(by: by, workers: workers), operatorSpec: .heatmap(HeatmapSpec(cells: .metres(1_000)))),
                StageSpec(name: "zones", partition: PartitionSpec(by: by, workers: workers), operatorSpec: .heatmap(HeatmapSpec(cells: .metres(500)))),
            ],
            query: query.map { QuerySpec(endpoint: $0, stage: "zones") }
        )
    }

    /// Runs the pipeline on a thread until `body` returns, then ends the stream and waits for the run.
    @discardableResult
    func withPipeline(_ spec: PipelineSpec, context: MessagingContext, _ body: () throws -> Void) throws -> RunSummary? {
        var options = EmbeddedPipeline.Options()
        options.publishEndpoint = "tcp://127.0.0.1:*"
        options.inputEndpoint = spec.input.endpoint
        options.source.sampleSize = 300
        options.statsInterval = 0.2
        let runOptions = options
        let finished = DispatchSemaphore(value: 0)
        let outcome = RunOutcome()
        let thread = Thread {
            do { outcome.set(summary: try EmbeddedPipeline.run(spec, descriptor: -1, options: runOptions)) } catch { outcome.set("\(error)") }
            finished.signal()
        }
        thread.start()
        var bodyError: (any Error)?
        do { try body() } catch { bodyError = error }
        try QueryTestDriver.push([], to: spec.input.endpoint!, context: context, end: true)
        XCTAssertEqual(finished.wait(timeout: .now() + 30), .success, "the pipeline did not end")
        XCTAssertNil(outcome.error)
        if let bodyError { throw bodyError }
        return outcome.summary
    }

    /// Returns each worker's window count and the halo copies the query stage received.
    @discardableResult
    func assertQueriesMatchBruteForce(workers: Int, by: PartitionSpec.By, seed: UInt64, halo: Double = 0) throws -> (counts: [Int], halo: Int) {
        let context = try MessagingContext()
        defer { context.terminate() }
        let input = "tcp://127.0.0.1:\(try QueryTestDriver.freePort())"
        let endpoint = "tcp://127.0.0.1:\(try QueryTestDriver.freePort())"
        let scenario = QueryScenario(seed: seed, count: 4_000)
        var spec = Self.spec(workers: workers, by: by, input: input, query: endpoint)
        spec.stages[1].partition.halo = halo
        var counts: [Int] = []
        let summary = try withPipeline(spec, context: context) {
            try QueryTestDriver.push(scenario.lines, to: input, context: context, end: false)
            let first = try QueryTestDriver.waitForWindow(scenario.expectedWindowEnd, workers: workers, endpoint: endpoint, context: context)
            XCTAssertEqual(first.workers.map(\.worker), (0..<workers).map { "zones/\($0)" })
            counts = first.workers.map(\.windowCount)
            let inWindow = scenario.indexed.filter { $0.t >= scenario.expectedWindowEnd - QueryScenario.window.size && $0.t < scenario.expectedWindowEnd }
            if by == .id {
                XCTAssertEqual(first.workers.map(\.windowCount).reduce(0, +), inWindow.count, "by id every event is in exactly one worker")
            }
            var nonEmpty = 0
            for request in QueryScenario.requests(seed: seed &+ 1) {
                let reply = try QueryClient.ask(request, endpoint: endpoint, context: context)
                let expected = scenario.bruteForce(request)
                if !expected.isEmpty { nonEmpty += 1 }
                assertSameLines(reply.lines, expected, "\(workers) worker(s) by \(by): \(request.json)")
            }
            XCTAssertGreaterThan(nonEmpty, 12, "the queries must find something to compare")
        }
        let haloCopies = (0..<workers).map { summary?.workers["zones-\($0)"]?.haloEvents ?? 0 }.reduce(0, +)
        return (counts, haloCopies)
    }

    func testOneWorkerAnswersEveryVerbLikeABruteForceScan() throws {
        try assertQueriesMatchBruteForce(workers: 1, by: .space, seed: 11)
    }

    func testThreeWorkersBySpaceMergeAndDeduplicateLikeABruteForceScan() throws {
        try assertQueriesMatchBruteForce(workers: 3, by: .space, seed: 12)
    }

    func testHaloCopiesStayOutOfTheQueryWindow() throws {
        // Same stream and partition map with and without halo copies: every worker indexes the same.
        let plain = try assertQueriesMatchBruteForce(workers: 3, by: .space, seed: 14)
        let withHalo = try assertQueriesMatchBruteForce(workers: 3, by: .space, seed: 14, halo: 1_500)
        XCTAssertEqual(plain.halo, 0)
        XCTAssertGreaterThan(withHalo.halo, 100, "the halo must actually send copies")
        XCTAssertEqual(withHalo.counts, plain.counts)
    }

    func testThreeWorkersByIdMergeLikeABruteForceScan() throws {
        try assertQueriesMatchBruteForce(workers: 3, by: .id, seed: 13)
    }

    func testMalformedRequestsGetAnErrorReplyAndTheGatewayKeepsServing() throws {
        let context = try MessagingContext()
        defer { context.terminate() }
        let input = "tcp://127.0.0.1:\(try QueryTestDriver.freePort())"
        let port = try QueryTestDriver.freePort()
        let scenario = QueryScenario(seed: 5, count: 600)
        try withPipeline(Self.spec(workers: 2, by: .id, input: input, query: "tcp://127.0.0.1:\(port)"), context: context) {
            try QueryTestDriver.push(scenario.lines, to: input, context: context, end: false)
            _ = try QueryTestDriver.waitForWindow(scenario.expectedWindowEnd, workers: 2, endpoint: "tcp://127.0.0.1:\(port)", context: context)
            let socket = try Socket(context, .request)
            defer { socket.close() }
            try socket.setReceiveTimeout(milliseconds: 5_000)
            try socket.connect(.tcp(host: "127.0.0.1", port: port))
            let cases = [
                ("not json", "malformed request: invalid JSON"),
                ("[1,2]", "malformed request: expected a JSON object"),
                ("{\"verb\":\"closest\"}", "malformed request: unknown verb 'closest'"),
                ("{\"verb\":\"nearest\",\"lon\":1,\"lat\":2}", "malformed request: nearest needs \"k\""),
                ("{\"verb\":\"intersects\",\"bbox\":[3,0,1,1]}", "malformed request: bbox min must not exceed max"),
                ("{\"verb\":\"radius\",\"lon\":1,\"lat\":95,\"metres\":5}", "is not a WGS84 position"),
                ("{\"verb\":\"within\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[1,2]}}", "within region is a Point"),
                ("{\"verb\":\"intersects\",\"bbox\":[0,0,1,1],\"where\":{\"n\":3}}", "where.n must be a string"),
            ]
            for (body, expected) in cases {
                try socket.send(body)
                let reply = try XCTUnwrap(socket.receive(), "no reply to \(body)")
                let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(reply.bytes)) as? [String: Any])
                XCTAssertEqual(object["ok"] as? Bool, false, body)
                XCTAssertTrue((object["error"] as? String ?? "").contains(expected), "\(body): \(object)")
            }
            let reply = try QueryClient.ask(QueryRequest(.intersects(QueryScenario.bbox)), endpoint: "tcp://127.0.0.1:\(port)", context: context)
            XCTAssertEqual(reply.lines, scenario.bruteForce(QueryRequest(.intersects(QueryScenario.bbox))))
        }
    }

    func testAPipelineWithoutQueriesAnswersNothingAndTheClientSaysSoWithoutHanging() throws {
        let context = try MessagingContext()
        defer { context.terminate() }
        let input = "tcp://127.0.0.1:\(try QueryTestDriver.freePort())"
        let endpoint = "tcp://127.0.0.1:\(try QueryTestDriver.freePort())"
        try withPipeline(Self.spec(workers: 1, by: .id, input: input, query: nil), context: context) {
            let started = Date()
            XCTAssertThrowsError(try QueryClient.ask(QueryRequest(.nearest(Point(lon: 0, lat: 0), k: 1), timeoutMilliseconds: 300),
                                                     endpoint: endpoint, context: context, marginMilliseconds: 200)) { error in
                XCTAssertEqual("\(error)", "no reply from \(endpoint) within 500ms; is a pipeline with query: running there?")
            }
            XCTAssertLessThan(Date().timeIntervalSince(started), 3)
        }
    }
}

private final class RunOutcome: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: String?
    private var storedSummary: RunSummary?
    func set(_ error: String) { lock.withLock { stored = error } }
    func set(summary: RunSummary) { lock.withLock { storedSummary = summary } }
    var error: String? { lock.withLock { stored } }
    var summary: RunSummary? { lock.withLock { storedSummary } }
}
