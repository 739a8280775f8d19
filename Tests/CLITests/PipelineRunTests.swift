import Foundation
import Transport
import XCTest

/// `geostream run` as users meet it: results on the XPUB with `stats`, Ctrl-C, external producers
/// pushing to `input.endpoint`, and `replay` pacing. Real child processes and loopback sockets.
final class PipelineRunTests: XCTestCase {
    static let repository = IndexCommandTests.repository
    static let pipeline = repository.appendingPathComponent("pipelines/quickstart.yaml").path
    static let sample = repository.appendingPathComponent("samples/ais-uscoast-2020-06-30-first2000.csv").path
    static let expected = repository.appendingPathComponent("samples/expected/quickstart-ais-uscoast-first2000.ndjson").path

    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("geostream-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: directory)
    }

    func testSubscriberGetsEveryResultAsTwoFramesInSeqOrderAndStatsEverySecond() throws {
        let port = try freeLoopbackPort()
        let child = try ChildProcess(["run", Self.pipeline, "-", "--publish", "tcp://127.0.0.1:\(port)"], stdin: true)
        defer { child.stop() }
        let context = try MessagingContext()
        defer { context.terminate() }
        let subscriber = try Socket(context, .subscribe)
        defer { subscriber.close() }
        try subscriber.subscribe("")
        try subscriber.setReceiveTimeout(milliseconds: 15_000)
        try subscriber.connect(.tcp(host: "127.0.0.1", port: port))

        // The run waits on stdin: the first stats report proves the subscription is live before
        // any data goes in, so no result can be missed.
        var messages: [(topic: String, json: String)] = []
        while true {
            let frames = try XCTUnwrap(subscriber.receiveMultipart(), "no stats within 15 s")
            XCTAssertEqual(frames.count, 2)
            if frames[0].string == "stats" { break }
        }
        child.write(try Data(contentsOf: URL(fileURLWithPath: Self.sample)))
        child.closeInput()
        let expected = try String(contentsOfFile: Self.expected, encoding: .utf8).split(separator: "\n").map(String.init)
        var stats: [String] = []
        while messages.count < expected.count {
            let frames = try XCTUnwrap(subscriber.receiveMultipart(), "only \(messages.count) of \(expected.count) results arrived")
            XCTAssertEqual(frames.count, 2, "topic frame + JSON frame")
            if frames[0].string == "stats" { stats.append(frames[1].string) } else { messages.append((frames[0].string, frames[1].string)) }
        }
        let result = child.finish(timeout: 30)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(messages.map(\.json), expected, "the subscriber sees exactly what --out holds")
        XCTAssertEqual(Set(messages.map(\.topic)), ["heatmap"])
        XCTAssertTrue(result.stderr.contains("published \(expected.count) results"), result.stderr)

        // Stats name every stage partition with its counters (the final report comes at the end).
        while let frames = try subscriber.receiveMultipart(blocking: false) {
            if frames[0].string == "stats" { stats.append(frames[1].string) }
        }
        let last = try XCTUnwrap(stats.last.flatMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] })
        let stages = try XCTUnwrap(last["stages"] as? [[String: Any]])
        XCTAssertEqual(Set(stages.compactMap { $0["stage"] as? String }), ["source", "traffic"])
        XCTAssertEqual(stages.first { $0["stage"] as? String == "source" }?["in"] as? Int, 2_000)
        XCTAssertEqual(stages.filter { $0["stage"] as? String == "traffic" }.compactMap { $0["in"] as? Int }.reduce(0, +), 2_000)
        XCTAssertEqual(last["seq"] as? Int, expected.count, "stats carry the seq of the last result")
    }

    func testInterruptEndsTheInputFlushesWindowsAndExits130InBothModes() throws {
        let lines = try String(contentsOfFile: Self.sample, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        let half = lines.prefix(1_001).joined(separator: "\n") + "\n"
        for processes in [false, true] {
            let out = directory.appendingPathComponent("interrupted-\(processes).ndjson").path
            var arguments = ["run", Self.pipeline, "-", "--out", out, "--publish", "tcp://127.0.0.1:*"]
            if processes { arguments.append("--processes") }
            let child = try ChildProcess(arguments, stdin: true)
            defer { child.stop() }
            child.write(Data(half.utf8))
            // Give the stages time to start and read; stdin stays open, so only the signal ends it.
            usleep(1_500_000)
            kill(child.process.processIdentifier, SIGINT)
            let result = child.finish(timeout: 30)
            XCTAssertEqual(result.status, 130, "\(processes ? "--processes" : "embedded"): \(result.stderr)")
            let published = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
            XCTAssertGreaterThan(published.count, 0, "windows of the 1,000 events read were flushed")
            let stageProcesses = try runProcessList().filter { $0.contains("--supervised \(child.process.processIdentifier)") }
            XCTAssertEqual(stageProcesses, [], "stage processes left behind")
        }
    }

    func testExternalProducersPushToTheInputEndpointAndGetTheSameResultsAsAFile() throws {
        let port = try freeLoopbackPort()
        let pipeline = directory.appendingPathComponent("producers.yaml").path
        let yaml = try String(contentsOfFile: Self.pipeline, encoding: .utf8)
            .replacingOccurrences(of: "name: quickstart", with: "name: quickstart\ninput: { endpoint: \"tcp://127.0.0.1:\(port)\" }")
        try yaml.write(toFile: pipeline, atomically: true, encoding: .utf8)
        let out = directory.appendingPathComponent("out.ndjson").path
        let run = try ChildProcess(["run", pipeline, "--out", out, "--publish", "tcp://127.0.0.1:*"])
        defer { run.stop() }
        let ingest = try runGeostream(["ingest", Self.sample, "--connect", "tcp://127.0.0.1:\(port)"])
        XCTAssertEqual(ingest.status, 0, ingest.stderr)
        let result = run.finish(timeout: 30)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try String(contentsOfFile: out, encoding: .utf8), try String(contentsOfFile: Self.expected, encoding: .utf8))
    }

    func testReplayPacesByEventTimeAndGivesTheSameResults() throws {
        // The sample spans 96 minutes of event time: at 2000x that is about 2.9 s of wall time.
        let out = directory.appendingPathComponent("replay.ndjson").path
        let started = Date()
        let result = try ChildProcess(["replay", Self.sample, "--pipeline", Self.pipeline, "--speed", "2000x", "--out", out,
                                       "--publish", "tcp://127.0.0.1:*"]).finish(timeout: 60)
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertGreaterThan(elapsed, 2.0, "paced: 96 minutes of event time at 2000x cannot take less than ~2.9 s")
        XCTAssertEqual(try String(contentsOfFile: out, encoding: .utf8), try String(contentsOfFile: Self.expected, encoding: .utf8))
        let bad = try runGeostream(["replay", Self.sample, "--pipeline", Self.pipeline, "--speed", "fast"])
        XCTAssertEqual(bad.status, 64)
        XCTAssertTrue(bad.stderr.contains("--speed takes 1x, 10x, 0.5x or max"), bad.stderr)
    }

    func testAFailingStageStopsTheRunWithItsCauseInBothModes() throws {
        // /dev/full takes the open but fails the first flush of results: the publisher fails mid-run.
        let harbor = Self.repository.appendingPathComponent("samples/ais-nyharbor-2020-06-30.csv").path
        let pipeline = Self.repository.appendingPathComponent("pipelines/harbor-heatmap.yaml").path
        for processes in [false, true] {
            var arguments = ["run", pipeline, harbor, "--out", "/dev/full", "--publish", "tcp://127.0.0.1:*"]
            if processes { arguments.append("--processes") }
            let result = try ChildProcess(arguments).finish(timeout: 30)
            XCTAssertEqual(result.status, 1, result.stderr)
            XCTAssertTrue(result.stderr.contains("cannot write --out /dev/full: No space left on device"), result.stderr)
        }
    }

    func testStagesStartedByHandWithEndpointsFromThePipelineFileGiveTheSameResults() throws {
        // The multi-host recipe of docs/cli.md, on one host: every endpoint comes from the file.
        let ports = try (0..<4).map { _ in try freeLoopbackPort() }
        let pipeline = directory.appendingPathComponent("hosts.yaml").path
        let yaml = try String(contentsOfFile: Self.pipeline, encoding: .utf8)
            .replacingOccurrences(of: "partition: { by: space, workers: 2 }",
                                  with: "partition: { by: space, workers: 2 }\n    endpoints: [\"tcp://127.0.0.1:\(ports[0])\", \"tcp://127.0.0.1:\(ports[1])\"]")
            .replacingOccurrences(of: "output: { endpoint: \"tcp://127.0.0.1:5560\" }",
                                  with: "output: { endpoint: \"tcp://127.0.0.1:\(ports[2])\", collect: \"tcp://127.0.0.1:\(ports[3])\" }")
        try yaml.write(toFile: pipeline, atomically: true, encoding: .utf8)
        let check = try runGeostream(["check", pipeline])
        XCTAssertEqual(check.status, 0, check.stderr + yaml)

        let out = directory.appendingPathComponent("out.ndjson").path
        let publisher = try ChildProcess(["stage", "publisher", "--pipeline", pipeline, "--out", out])
        defer { publisher.stop() }
        let workers = try (0..<2).map { try ChildProcess(["stage", "traffic", "--partition", String($0), "--pipeline", pipeline]) }
        defer { workers.forEach { $0.stop() } }
        let source = try runGeostream(["stage", "source", Self.sample, "--pipeline", pipeline])
        XCTAssertEqual(source.status, 0, source.stderr)
        XCTAssertTrue(source.stderr.contains("2000 events"), source.stderr)
        for worker in workers { XCTAssertEqual(worker.finish(timeout: 30).status, 0) }
        let published = publisher.finish(timeout: 30)
        XCTAssertEqual(published.status, 0, published.stderr)
        XCTAssertEqual(try String(contentsOfFile: out, encoding: .utf8), try String(contentsOfFile: Self.expected, encoding: .utf8))
    }

    func testStageRejectsUnknownNamesAndPartitions() throws {
        let unknown = try runGeostream(["stage", "nosuch", "--pipeline", Self.pipeline])
        XCTAssertEqual(unknown.status, 64)
        XCTAssertTrue(unknown.stderr.contains("stages: source, traffic, publisher"), unknown.stderr)
        let partition = try runGeostream(["stage", "traffic", "--partition", "2", "--pipeline", Self.pipeline])
        XCTAssertEqual(partition.status, 1)
        XCTAssertTrue(partition.stderr.contains("stage traffic has 2 worker(s): --partition must be 0...1, got 2"), partition.stderr)
    }

    /// `ps` lines (pid, parent, command) of every process.
    func runProcessList() throws -> [String] {
        try runTool("/bin/ps", ["-eo", "pid,ppid,args"]).split(separator: "\n").map(String.init)
    }

    func runTool(_ path: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}

/// A loopback port free right now (bound by a throwaway ZeroMQ socket, then released).
func freeLoopbackPort() throws -> UInt16 {
    let context = try MessagingContext()
    defer { context.terminate() }
    let socket = try Socket(context, .pull)
    defer { socket.close() }
    let bound = try socket.bind(.tcp(host: "127.0.0.1", port: nil))
    guard case let .tcp(_, port?) = bound else { throw NSError(domain: "geostream-tests", code: 1) }
    return port
}
