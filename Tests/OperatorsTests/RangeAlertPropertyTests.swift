import GeoCore
import Operators
import TestSupport
import Wire
import XCTest

/// Random streams through the operator (1–4 instances split by object id) against the brute-force
/// reference: the exact list of alerts, in the publisher's order.
final class RangeAlertPropertyTests: XCTestCase {
    /// Replays `scenario` through `instances` operators (objects split by id, fences to all) and
    /// returns every output, checking on the way that no result comes out of `apply` and that each
    /// call's results lie in [previous watermark, new watermark].
    func run(_ scenario: RangeAlertScenario, instances: Int, file: StaticString = #filePath, line: UInt = #line) -> [OperatorOutput] {
        var operators = (0..<instances).map { _ in
            RangeAlertOperator(spec: scenario.spec, clock: WindowClock(size: scenario.windowSize, slide: 1_000))
        }
        var clock = WindowClock(size: scenario.windowSize, slide: 1_000)
        var outputs: [OperatorOutput] = []
        var scratch: [OperatorOutput] = []
        for step in scenario.steps {
            scratch.removeAll()
            switch step {
            case let .points(points, halo):
                for index in 0..<instances {
                    let mine = points.filter { instanceIndex(of: $0.id, count: instances) == index }
                    operators[index].apply(points: mine, halo: halo, clock: clock, into: &scratch)
                }
                XCTAssertEqual(scratch.count, 0, "apply only queues", file: file, line: line)
            case let .polygons(polygons):
                for index in 0..<instances {
                    let mine = polygons.filter { $0.role == .fence || instanceIndex(of: $0.id, count: instances) == index }
                    operators[index].apply(polygons: mine, halo: false, clock: clock, into: &scratch)
                }
                XCTAssertEqual(scratch.count, 0, "apply only queues", file: file, line: line)
            case let .advance(watermark):
                let previous = clock.watermark
                clock.watermark = watermark
                for index in 0..<instances {
                    scratch.removeAll()
                    operators[index].advance(clock: clock, into: &scratch)
                    for output in scratch {
                        XCTAssert(output.t >= previous && output.t <= watermark,
                                  "t \(output.t) outside [\(previous), \(watermark)]: \(output.json)", file: file, line: line)
                    }
                    outputs += scratch
                }
            }
        }
        for index in 0..<instances {
            scratch.removeAll()
            operators[index].finish(clock: clock, into: &scratch)
            for output in scratch {
                XCTAssert(output.t >= clock.watermark, "finish emitted t \(output.t) below \(clock.watermark)", file: file, line: line)
            }
            outputs += scratch
            XCTAssertEqual(operators[index].retainedEvents, 0, "everything forgotten after finish", file: file, line: line)
        }
        return outputs
    }

    func check(_ scenario: RangeAlertScenario, instances: [Int] = [1], expectRemovalExits: Bool = false,
               file: StaticString = #filePath, line: UInt = #line) {
        let expected = publisherOrder(RangeAlertReference(spec: scenario.spec, windowSize: scenario.windowSize).run(scenario.inputs))
        XCTAssertGreaterThan(expected.count, 10, "the scenario should produce alerts", file: file, line: line)
        for kind in scenario.spec.detect {
            XCTAssert(expected.contains { $0.json.hasPrefix("{\"kind\":\"\(kind.rawValue)\"") }, "no \(kind) in the scenario", file: file, line: line)
        }
        // Exits at no input's time come from forget-after; exits at a fence event's time from removals.
        let inputTimes = Set(scenario.inputs.map(\.t))
        let fenceTimes = Set(scenario.inputs.compactMap { if case let .polygon(p) = $0, p.role == .fence { p.t } else { nil } })
        let exits = expected.filter { $0.json.hasPrefix("{\"kind\":\"exit\"") }
        if scenario.spec.detect.contains(.exit) {
            XCTAssert(exits.contains { !inputTimes.contains($0.t) }, "no forget-after exit in the scenario", file: file, line: line)
            if expectRemovalExits {
                XCTAssert(exits.contains { fenceTimes.contains($0.t) }, "no fence-removal exit in the scenario", file: file, line: line)
            }
        }
        for count in instances {
            let actual = publisherOrder(run(scenario, instances: count, file: file, line: line))
            XCTAssertEqual(actual.count, expected.count, "\(count) instance(s)", file: file, line: line)
            if let mismatch = zip(actual, expected).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
                XCTFail("\(count) instance(s): first difference at \(mismatch):\n  got      \(actual[mismatch])\n  expected \(expected[mismatch])", file: file, line: line)
            }
        }
    }

    func testEveryKindAgainstReference() {
        for seed: UInt64 in 1...4 {
            var options = RangeAlertScenario.Options()
            options.staticFences = 10
            options.events = 900
            check(RangeAlertScenario.make(seed: seed, options))
        }
    }

    func testEnterExitCrossWithManyFencesAndDynamicUpdates() {
        for seed: UInt64 in 10...13 {
            var options = RangeAlertScenario.Options()
            options.staticFences = 60
            options.dynamicFenceEvents = 60
            options.events = 2_000
            options.detect = [.enter, .exit, .cross]
            check(RangeAlertScenario.make(seed: seed, options), expectRemovalExits: true)
        }
    }

    func testWhereFilterAndDefaultForgetAfter() {
        for seed: UInt64 in 20...22 {
            var options = RangeAlertScenario.Options()
            options.filter = PropertyFilter([JSONMember("type", .string("truck"))])
            options.forgetAfter = nil
            options.windowSize = 2_500
            options.detect = [.enter, .exit, .inside]
            check(RangeAlertScenario.make(seed: seed, options))
        }
    }

    func testNegativeTimesAndShortForgetAfter() {
        var options = RangeAlertScenario.Options()
        options.startTime = -30_000
        options.forgetAfter = 300
        options.detect = [.enter, .exit]
        check(RangeAlertScenario.make(seed: 31, options))
    }

    func testSplittingObjectsAcrossInstancesGivesTheSameAlerts() {
        for seed: UInt64 in 40...41 {
            var options = RangeAlertScenario.Options()
            options.staticFences = 16
            options.events = 1_000
            check(RangeAlertScenario.make(seed: seed, options), instances: [1, 2, 3, 4])
        }
    }
}
