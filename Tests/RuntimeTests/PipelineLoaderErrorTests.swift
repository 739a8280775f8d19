import Runtime
import XCTest

/// Every class of pipeline-file mistake: each test asserts the error's code, line, key path and
/// the whole `file:line: path: message` text a user sees.
final class PipelineLoaderErrorTests: XCTestCase {
    /// A valid pipeline whose line numbers the tests below rely on (line 1 is `name`).
    static let valid = """
        name: fleet
        input: { format: csv, columns: { id: vehicle, t: ts } }
        bbox: [-74.3, 40.5, -73.7, 40.95]
        window: { size: 60s, slide: 5s, lateness: 2s }
        stages:
          - { name: zones, operator: heatmap, level: 12, partition: { by: id, workers: 2 } }
          - name: hot
            operator: heatmap
            cell: 50m
            partition:
              by: space
              workers: 2
        checkpoint: { dir: .geostream/fleet, every: 10s }
        output: { endpoint: "tcp://127.0.0.1:5560" }
        """

    /// `valid` with line `number` (1-based) replaced by `text`.
    func replacing(line number: Int, with text: String) -> String {
        replacing(lines: number...number, with: text)
    }

    /// `valid` with lines `numbers` (1-based) replaced by `text`, which may hold several lines or none.
    func replacing(lines numbers: ClosedRange<Int>, with text: String?) -> String {
        var lines = Self.valid.components(separatedBy: "\n")
        lines.replaceSubrange((numbers.lowerBound - 1)..<numbers.upperBound, with: text.map { [$0] } ?? [])
        return lines.joined(separator: "\n")
    }

    func loadError(_ yaml: String, file: StaticString = #filePath, line: UInt = #line) -> PipelineError? {
        do {
            let spec = try PipelineLoader.load(yaml: yaml, sourceName: "fleet.yaml")
            XCTFail("loaded, expected an error: \(spec)", file: file, line: line)
            return nil
        } catch {
            return error
        }
    }

    func assertError(_ yaml: String, _ code: PipelineError.Code, line expectedLine: Int, path: String, _ description: String,
                     file: StaticString = #filePath, line: UInt = #line) {
        guard let error = loadError(yaml, file: file, line: line) else { return }
        XCTAssertEqual(error.code, code, "\(error)", file: file, line: line)
        XCTAssertEqual(error.line, expectedLine, "\(error)", file: file, line: line)
        XCTAssertEqual(error.keyPath, path, "\(error)", file: file, line: line)
        XCTAssertEqual(error.description, description, file: file, line: line)
    }

    func testTheValidBaseLoads() throws {
        XCTAssertEqual(try PipelineLoader.load(yaml: Self.valid).stages.count, 2)
    }

    // MARK: unknown keys

    func testUnknownKeySuggestsTheClosestKnownOne() {
        assertError(replacing(line: 9, with: "    min_count: 3"), .unknownKey, line: 9, path: "stages[1].min_count",
                    "fleet.yaml:9: stages[1].min_count: unknown key for a heatmap stage; did you mean `min-count`?")
        assertError(replacing(line: 4, with: "window: { size: 60s, slide: 5s, latenes: 2s }"), .unknownKey, line: 4, path: "window.latenes",
                    "fleet.yaml:4: window.latenes: unknown key; did you mean `lateness`?")
        assertError(replacing(line: 1, with: "nmae: fleet"), .unknownKey, line: 1, path: "nmae",
                    "fleet.yaml:1: nmae: unknown key; did you mean `name`?")
        assertError(replacing(line: 12, with: "      wrokers: 2"), .unknownKey, line: 12, path: "stages[1].partition.wrokers",
                    "fleet.yaml:12: stages[1].partition.wrokers: unknown key; did you mean `workers`?")
    }

    func testUnknownKeyWithNothingCloseListsTheKnownKeys() {
        assertError(replacing(line: 9, with: "    eps: 50m"), .unknownKey, line: 9, path: "stages[1].eps",
                    "fleet.yaml:9: stages[1].eps: unknown key for a heatmap stage (known here: name, operator, partition, endpoints, cell, level, min-count)")
        assertError(Self.valid + "\nparallelism: 4", .unknownKey, line: 15, path: "parallelism",
                    "fleet.yaml:15: parallelism: unknown key (known here: name, input, bbox, window, stages, checkpoint, output, query)")
        assertError(replacing(line: 2, with: "input: { columns: { identifier: vehicle } }"), .unknownKey, line: 2, path: "input.columns.identifier",
                    "fleet.yaml:2: input.columns.identifier: unknown CSV field (known here: id, t, lon, lat, wkt, role)")
        assertError(replacing(line: 2, with: "input: { columns: { Lat: y } }"), .unknownKey, line: 2, path: "input.columns.Lat",
                    "fleet.yaml:2: input.columns.Lat: unknown CSV field; did you mean `lat`?")
    }

    // MARK: durations and distances

    func testBadDurations() {
        assertError(replacing(line: 4, with: "window: { size: sixty, slide: 5s }"), .invalidValue, line: 4, path: "window.size",
                    "fleet.yaml:4: window.size: expected a duration like 500ms, 60s or 5m, got 'sixty'")
        assertError(replacing(line: 4, with: "window: { size: 60, slide: 5s }"), .invalidValue, line: 4, path: "window.size",
                    "fleet.yaml:4: window.size: expected a duration like 500ms, 60s or 5m, got '60' (a number needs a unit: ms, s, m, h or d)")
        assertError(replacing(line: 4, with: "window: { size: 60s, slide: 5w }"), .invalidValue, line: 4, path: "window.slide",
                    "fleet.yaml:4: window.slide: expected a duration like 500ms, 60s or 5m, got '5w' (units: ms, s, m, h, d)")
        assertError(replacing(line: 4, with: "window: { size: 60s, slide: 5s, lateness: 0.0001s }"), .invalidValue, line: 4, path: "window.lateness",
                    "fleet.yaml:4: window.lateness: duration '0.0001s' is not a whole number of milliseconds")
        assertError(replacing(line: 4, with: "window: { size: 60s, slide: 5s, lateness: -2s }"), .invalidValue, line: 4, path: "window.lateness",
                    "fleet.yaml:4: window.lateness: expected a duration like 500ms, 60s or 5m, got '-2s'")
        assertError(replacing(line: 13, with: "checkpoint: { dir: ck, every: often }"), .invalidValue, line: 13, path: "checkpoint.every",
                    "fleet.yaml:13: checkpoint.every: expected a duration like 500ms, 60s or 5m, got 'often', or a count like 10000 events")
    }

    func testWindowRules() {
        assertError(replacing(line: 4, with: "window: { size: 0s, slide: 5s }"), .invalidValue, line: 4, path: "window.size",
                    "fleet.yaml:4: window.size: must be positive")
        assertError(replacing(line: 4, with: "window: { size: 60s, slide: 0 }"), .invalidValue, line: 4, path: "window.slide",
                    "fleet.yaml:4: window.slide: must be positive")
        assertError(replacing(line: 4, with: "window: { size: 5s, slide: 1m }"), .invalidValue, line: 4, path: "window.slide",
                    "fleet.yaml:4: window.slide: slide 1m is longer than size 5s; events between windows would be skipped")
    }

    func testBadDistances() {
        assertError(replacing(line: 9, with: "    cell: fifty"), .invalidValue, line: 9, path: "stages[1].cell",
                    "fleet.yaml:9: stages[1].cell: expected a distance like 50m or 2km, got 'fifty'")
        assertError(replacing(line: 9, with: "    cell: 50"), .invalidValue, line: 9, path: "stages[1].cell",
                    "fleet.yaml:9: stages[1].cell: expected a distance like 50m or 2km, got '50' (a number needs a unit: m or km)")
        assertError(replacing(line: 9, with: "    cell: 0km"), .invalidValue, line: 9, path: "stages[1].cell",
                    "fleet.yaml:9: stages[1].cell: must be a positive distance")
        assertError(replacing(line: 9, with: "    cell: 50000km"), .invalidValue, line: 9, path: "stages[1].cell",
                    "fleet.yaml:9: stages[1].cell: distance '50000km' is larger than the Earth's circumference (40075km)")
        assertError(replacing(line: 12, with: "      halo: 3 miles"), .invalidValue, line: 12, path: "stages[1].partition.halo",
                    "fleet.yaml:12: stages[1].partition.halo: expected a distance like 50m or 2km, got '3 miles' (units: m, km)")
    }

    // MARK: missing keys

    func testMissingRequiredKeysNameTheParentAndItsLine() {
        assertError(replacing(line: 1, with: "# no name"), .missingKey, line: 2, path: "",
                    "fleet.yaml:2: missing required key 'name' (e.g. name: fleet)")
        assertError(replacing(line: 4, with: "window: { size: 60s }"), .missingKey, line: 4, path: "window",
                    "fleet.yaml:4: window: missing required key 'slide' (e.g. slide: 5s)")
        assertError(replacing(line: 8, with: "    # operator removed"), .missingKey, line: 7, path: "stages[1]",
                    "fleet.yaml:7: stages[1]: missing required key 'operator' (e.g. operator: heatmap)")
        assertError(replacing(line: 6, with: "  - { operator: heatmap, level: 12 }"), .missingKey, line: 6, path: "stages[0]",
                    "fleet.yaml:6: stages[0]: missing required key 'name' (e.g. name: hotspots)")
        assertError(replacing(line: 11, with: "      halo: 0m"), .missingKey, line: 10, path: "stages[1].partition",
                    "fleet.yaml:10: stages[1].partition: missing required key 'by' (e.g. by: space)")
        assertError(replacing(line: 13, with: "checkpoint: { every: 10s }"), .missingKey, line: 13, path: "checkpoint",
                    "fleet.yaml:13: checkpoint: missing required key 'dir' (e.g. dir: .geostream/fleet)")
        assertError(replacing(line: 9, with: "    min-count: 2"), .missingKey, line: 7, path: "stages[1]",
                    "fleet.yaml:7: stages[1]: a heatmap stage needs cell (e.g. cell: 250m) or level (e.g. level: 14)")
        assertError(replacing(lines: 5...12, with: nil), .missingKey, line: 1, path: "",
                    "fleet.yaml:1: missing required key 'stages'")
    }

    // MARK: wrong types and bad values

    func testWrongTypes() {
        assertError(replacing(line: 4, with: "window: 60s"), .wrongType, line: 4, path: "window",
                    "fleet.yaml:4: window: expected a mapping of keys, got '60s'")
        assertError(replacing(lines: 5...12, with: "stages: { name: hot }"), .wrongType, line: 5, path: "stages",
                    "fleet.yaml:5: stages: expected a list, got a mapping")
        assertError(replacing(line: 12, with: "      workers: two"), .wrongType, line: 12, path: "stages[1].partition.workers",
                    "fleet.yaml:12: stages[1].partition.workers: expected a whole number, got 'two'")
        assertError(replacing(line: 2, with: "input: { strict: maybe }"), .wrongType, line: 2, path: "input.strict",
                    "fleet.yaml:2: input.strict: expected true or false, got 'maybe'")
        assertError(replacing(line: 1, with: "name: [fleet]"), .wrongType, line: 1, path: "name",
                    "fleet.yaml:1: name: expected a name, got a list")
        assertError(replacing(line: 1, with: "name:"), .wrongType, line: 1, path: "name",
                    "fleet.yaml:1: name: expected a name, got nothing")
        assertError(replacing(line: 3, with: "bbox: [-74.3, south, -73.7, 40.95]"), .wrongType, line: 3, path: "bbox[1]",
                    "fleet.yaml:3: bbox[1]: expected a number, got 'south'")
    }

    func testBadValues() {
        assertError(replacing(line: 1, with: "name: fleet one"), .invalidValue, line: 1, path: "name",
                    "fleet.yaml:1: name: 'fleet one' is not a name: use letters, digits, '_' and '-' only")
        assertError(replacing(line: 2, with: "input: { format: xml }"), .invalidValue, line: 2, path: "input.format",
                    "fleet.yaml:2: input.format: unknown input format 'xml' (known: csv, geojson, geojsonseq; leave out to detect)")
        assertError(replacing(line: 2, with: "input: { format: geojson, columns: { id: vehicle } }"), .invalidValue, line: 2, path: "input.columns",
                    "fleet.yaml:2: input.columns: columns applies only to csv input, and format is geojson")
        assertError(replacing(line: 2, with: "input:\n  columns:\n    lon: x\n    lat: x"), .duplicate, line: 5, path: "input.columns.lat",
                    "fleet.yaml:5: input.columns.lat: column 'x' is already mapped to field lon")
        assertError(replacing(line: 2, with: "input: { columns: { id: '' } }"), .invalidValue, line: 2, path: "input.columns.id",
                    "fleet.yaml:2: input.columns.id: must not be empty")
        assertError(replacing(line: 11, with: "      by: region"), .invalidValue, line: 11, path: "stages[1].partition.by",
                    "fleet.yaml:11: stages[1].partition.by: expected space or id, got 'region'")
        assertError(replacing(line: 12, with: "      workers: 65"), .invalidValue, line: 12, path: "stages[1].partition.workers",
                    "fleet.yaml:12: stages[1].partition.workers: must be 1 to 64, got 65")
        assertError(replacing(line: 6, with: "  - { name: zones, operator: heatmap, level: 25 }"), .invalidValue, line: 6, path: "stages[0].level",
                    "fleet.yaml:6: stages[0].level: must be 0 to 24, got 25")
        assertError(replacing(line: 6, with: "  - { name: zones, operator: heatmap, level: 3, cell: 50m }"), .invalidValue, line: 6, path: "stages[0].level",
                    "fleet.yaml:6: stages[0].level: give either cell (a distance) or level (0-24), not both")
        assertError(replacing(line: 6, with: "  - { name: zones, operator: heatmap, level: 3, min-count: 0 }"), .invalidValue, line: 6,
                    path: "stages[0].min-count", "fleet.yaml:6: stages[0].min-count: must be at least 1, got 0")
        assertError(replacing(line: 6, with: "  - { name: zones, operator: heatmap, level: 3, partition: { by: id, halo: 50m } }"), .invalidValue,
                    line: 6, path: "stages[0].partition.halo",
                    "fleet.yaml:6: stages[0].partition.halo: halo applies only to partition by space (by id sends each object to one worker)")
        assertError(replacing(line: 13, with: "checkpoint: { dir: ck, every: 10s, keep: 0 }"), .invalidValue, line: 13, path: "checkpoint.keep",
                    "fleet.yaml:13: checkpoint.keep: must be at least 1, got 0")
        assertError(replacing(line: 13, with: "checkpoint: { dir: ck, every: 0 events }"), .invalidValue, line: 13, path: "checkpoint.every",
                    "fleet.yaml:13: checkpoint.every: must be at least 1 event")
        assertError(replacing(lines: 5...12, with: "stages: []"), .invalidValue, line: 5, path: "stages", "fleet.yaml:5: stages: needs at least one stage")
    }

    func testBadBoundingBoxes() {
        assertError(replacing(line: 3, with: "bbox: [-74.3, 40.5, -73.7]"), .invalidValue, line: 3, path: "bbox",
                    "fleet.yaml:3: bbox: expected [minLon, minLat, maxLon, maxLat], got 3 numbers")
        assertError(replacing(line: 3, with: "bbox: [-74.3, 40.5, 181, 40.95]"), .invalidValue, line: 3, path: "bbox[2]",
                    "fleet.yaml:3: bbox[2]: maxLon must be within -180...180, got 181.0")
        assertError(replacing(line: 3, with: "bbox: [-74.3, -91, -73.7, 40.95]"), .invalidValue, line: 3, path: "bbox[1]",
                    "fleet.yaml:3: bbox[1]: minLat must be within -90...90, got -91.0")
        assertError(replacing(line: 3, with: "bbox: [-73.7, 40.5, -74.3, 40.95]"), .invalidValue, line: 3, path: "bbox",
                    "fleet.yaml:3: bbox: minLon -73.7 must be less than maxLon -74.3 (a bbox cannot cross the antimeridian)")
        assertError(replacing(line: 3, with: "bbox: [-74.3, 40.5, -73.7, 40.5]"), .invalidValue, line: 3, path: "bbox",
                    "fleet.yaml:3: bbox: minLat 40.5 must be less than maxLat 40.5")
        assertError(replacing(line: 3, with: "bbox: [-74.3, 40.5, -73.7, .nan]"), .wrongType, line: 3, path: "bbox[3]",
                    "fleet.yaml:3: bbox[3]: expected a number, got '.nan'")
    }

    // MARK: endpoints

    func testEndpointCountMustEqualWorkers() {
        assertError(replacing(line: 12, with: "      workers: 2\n    endpoints: [\"tcp://127.0.0.1:5601\"]"), .invalidValue, line: 13,
                    path: "stages[1].endpoints",
                    "fleet.yaml:13: stages[1].endpoints: lists 1 endpoint but the stage has 2 workers: give one per worker")
    }

    func testEndpointsMustParseAndNotRepeat() {
        assertError(replacing(line: 14, with: "output: { endpoint: \"tcp//127.0.0.1:5560\" }"), .invalidValue, line: 14, path: "output.endpoint",
                    "fleet.yaml:14: output.endpoint: invalid endpoint 'tcp//127.0.0.1:5560': expected inproc://, ipc:// or tcp:// (e.g. tcp://127.0.0.1:5560, ipc:///tmp/geostream.sock, inproc://name)")
        assertError(replacing(line: 14, with: "output: { endpoint: \"tcp://127.0.0.1:99999\" }"), .invalidValue, line: 14, path: "output.endpoint",
                    "fleet.yaml:14: output.endpoint: invalid endpoint 'tcp://127.0.0.1:99999': port must be 1-65535 or * (e.g. tcp://127.0.0.1:5560, ipc:///tmp/geostream.sock, inproc://name)")
        let twice = replacing(line: 12, with: "      workers: 2\n    endpoints:\n      - tcp://127.0.0.1:5601\n      - tcp://127.0.0.1:5560")
        assertError(twice, .duplicate, line: 17, path: "output.endpoint",
                    "fleet.yaml:17: output.endpoint: endpoint tcp://127.0.0.1:5560 is already bound by stages[1].endpoints[1], line 15")
        let wildcards = replacing(line: 12, with: "      workers: 2\n    endpoints: [\"tcp://127.0.0.1:*\", \"tcp://127.0.0.1:*\"]")
        XCTAssertNoThrow(try PipelineLoader.load(yaml: wildcards), "OS-assigned ports never collide")
    }

    // MARK: operators and names

    func testUnknownAndNotYetAvailableOperators() {
        assertError(replacing(line: 8, with: "    operator: cluster"), .unknownOperator, line: 8, path: "stages[1].operator",
                    "fleet.yaml:8: stages[1].operator: operator 'cluster' is not yet available (available: heatmap, range-alert, nearby)")
        XCTAssertEqual(loadError(replacing(line: 8, with: "    operator: dissolve"))?.message,
                       "operator 'dissolve' is not yet available (available: heatmap, range-alert, nearby)")
        assertError(replacing(line: 8, with: "    operator: heatmpa"), .unknownOperator, line: 8, path: "stages[1].operator",
                    "fleet.yaml:8: stages[1].operator: unknown operator 'heatmpa' (available: heatmap, range-alert, nearby; planned: cluster, dissolve); did you mean `heatmap`?")
        assertError(replacing(line: 8, with: "    operator: kriging"), .unknownOperator, line: 8, path: "stages[1].operator",
                    "fleet.yaml:8: stages[1].operator: unknown operator 'kriging' (available: heatmap, range-alert, nearby; planned: cluster, dissolve)")
    }

    func testDuplicateStageNames() {
        assertError(replacing(line: 7, with: "  - name: zones"), .duplicate, line: 7, path: "stages[1].name",
                    "fleet.yaml:7: stages[1].name: stage name 'zones' is already used by stages[0].name, line 6")
    }

    // MARK: several problems at once

    func testDiagnoseReportsOneProblemPerSectionAndStageInFileOrder() {
        let yaml = """
            stages:
              - { name: a, operator: heatmap, cell: fifty }
              - { name: b, operator: cluster }
              - { name: a, operator: heatmap, level: 3 }
              - { name: c, operator: heatmap, level: 30, min-count: 0 }
            window: { size: 60s, slide: 90s }
            outptu: { endpoint: "tcp://127.0.0.1:5560" }
            output: { endpoint: "tcp//nowhere" }
            """
        let diagnosis = PipelineLoader.diagnose(yaml: yaml, sourceName: "many.yaml")
        XCTAssertNil(diagnosis.spec)
        XCTAssertEqual(diagnosis.errors.map(\.description), [
            "many.yaml:1: missing required key 'name' (e.g. name: fleet)",
            "many.yaml:2: stages[0].cell: expected a distance like 50m or 2km, got 'fifty'",
            "many.yaml:3: stages[1].operator: operator 'cluster' is not yet available (available: heatmap, range-alert, nearby)",
            "many.yaml:5: stages[3].level: must be 0 to 24, got 30",
            "many.yaml:6: window.slide: slide 90s is longer than size 1m; events between windows would be skipped",
            "many.yaml:7: outptu: unknown key; did you mean `output`?",
            "many.yaml:8: output.endpoint: invalid endpoint 'tcp//nowhere': expected inproc://, ipc:// or tcp:// (e.g. tcp://127.0.0.1:5560, ipc:///tmp/geostream.sock, inproc://name)",
        ])
        XCTAssertEqual(loadError(yaml)?.line, 1, "load throws the problem nearest the top")
    }

    func testDiagnoseOfAValidFileHasTheSpecAndNoErrors() throws {
        let diagnosis = PipelineLoader.diagnose(yaml: Self.valid)
        XCTAssertEqual(diagnosis.errors, [])
        XCTAssertEqual(diagnosis.spec, try PipelineLoader.load(yaml: Self.valid))
    }

    func testEveryRepeatOfAStageNamePointsAtTheFirstUse() {
        let yaml = replacing(line: 7, with: "  - { name: zones, operator: heatmap, level: 1 }\n  - name: zones")
        XCTAssertEqual(PipelineLoader.diagnose(yaml: yaml, sourceName: "fleet.yaml").errors.map(\.description), [
            "fleet.yaml:7: stages[1].name: stage name 'zones' is already used by stages[0].name, line 6",
            "fleet.yaml:8: stages[2].name: stage name 'zones' is already used by stages[0].name, line 6",
        ])
    }

    // MARK: YAML itself

    func testYAMLSyntaxErrorsCarryTheLine() {
        guard let unclosed = loadError(replacing(line: 4, with: "window: { size: 60s, slide: 5s")) else { return }
        XCTAssertEqual(unclosed.code, .syntax)
        XCTAssertEqual(unclosed.keyPath, "")
        XCTAssertEqual(unclosed.line, 5, "libyaml notices the unclosed flow mapping at the next key: \(unclosed)")
        XCTAssertTrue(unclosed.description.hasPrefix("fleet.yaml:5: YAML syntax: "), unclosed.description)

        guard let badIndent = loadError(replacing(line: 9, with: "      cell: 50m: 2")) else { return }
        XCTAssertEqual(badIndent.code, .syntax)
        XCTAssertEqual(badIndent.line, 9, "\(badIndent)")
        XCTAssertEqual(badIndent.description, "fleet.yaml:9: YAML syntax: mapping values are not allowed in this context")

        guard let tab = loadError("name: fleet\n\twindow: 1") else { return }
        XCTAssertEqual(tab.code, .syntax)
        XCTAssertEqual(tab.line, 2, "\(tab)")
    }

    func testDuplicateYAMLKeysAreErrors() {
        assertError(replacing(line: 14, with: "name: again"), .duplicate, line: 1, path: "",
                    "fleet.yaml:1: key 'name' appears more than once in the same mapping")
    }

    func testDocumentsThatAreNotPipelines() {
        assertError("", .syntax, line: 1, path: "",
                    "fleet.yaml:1: the file is empty; a pipeline needs at least name, window and stages")
        assertError("# only a comment\n", .syntax, line: 1, path: "",
                    "fleet.yaml:1: the file is empty; a pipeline needs at least name, window and stages")
        assertError("- name: fleet\n", .syntax, line: 1, path: "",
                    "fleet.yaml:1: expected a mapping of pipeline keys (name, input, bbox, window, stages, checkpoint, output, query) at the top, got a list")
        assertError("just some words", .syntax, line: 1, path: "",
                    "fleet.yaml:1: expected a mapping of pipeline keys (name, input, bbox, window, stages, checkpoint, output, query) at the top, got 'just some words'")
        assertError(Self.valid + "\n---\nname: second", .syntax, line: 15, path: "",
                    "fleet.yaml:15: YAML syntax: but found another document (expected a single document in the stream at line 1)")
    }
}
