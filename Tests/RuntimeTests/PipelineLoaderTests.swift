import GeoCore
import Operators
import Runtime
import Wire
import XCTest

/// Every key of the pipeline schema read from YAML into `PipelineSpec`, with its default when left
/// out (docs/pipeline-format.md is the reference these follow).
final class PipelineLoaderTests: XCTestCase {
    static let minimal = """
        name: quick
        window: { size: 60s, slide: 5s }
        stages:
          - { name: heat, operator: heatmap, cell: 250m }
        """

    func testMinimalPipelineGetsEveryDefault() throws {
        let spec = try PipelineLoader.load(yaml: Self.minimal, sourceName: "quick.yaml")
        XCTAssertEqual(spec, PipelineSpec(
            name: "quick",
            input: InputSpec(format: nil, columns: [:], endpoint: nil, strict: false),
            bbox: Rect(minX: -180, minY: -90, maxX: 180, maxY: 90),
            window: WindowSpec(size: 60_000, slide: 5_000, lateness: 0),
            stages: [StageSpec(name: "heat", partition: PartitionSpec(by: .space, workers: 1, halo: 0),
                               operatorSpec: .heatmap(HeatmapSpec(cells: .metres(250), minCount: 1)), endpoints: nil)],
            checkpoint: nil,
            output: OutputSpec(endpoint: "tcp://127.0.0.1:5560", collect: nil),
            baseDirectory: ""))
    }

    func testEveryKeyInBlockStyle() throws {
        let yaml = """
            # every key the schema has
            name: fleet_2-b
            input:
              format: csv
              columns:
                id: vehicle
                t: ts
                lon: x
                lat: y
                wkt: shape
                role: kind
              endpoint: tcp://127.0.0.1:5550
              strict: true
            bbox: [-74.3, 40.5, -73.7, 40.95]
            window:
              size: 2m
              slide: 1.5s
              lateness: 500ms
            stages:
              - name: coarse
                operator: heatmap
                partition:
                  by: space
                  workers: 3
                  halo: 0.5km
                endpoints: ["tcp://127.0.0.1:5601", "tcp://127.0.0.1:5602", "ipc:///tmp/coarse-3"]
                level: 14
                min-count: 5
              - name: fine
                operator: heatmap
                partition: { by: id, workers: 64 }
                cell: 1500m
            checkpoint:
              dir: state/fleet
              every: 10000 events
              keep: 7
            output:
              endpoint: "tcp://0.0.0.0:5560"
              collect: inproc://results
            """
        let spec = try PipelineLoader.load(yaml: yaml, baseDirectory: "/srv/pipelines", sourceName: "fleet.yaml")
        XCTAssertEqual(spec.name, "fleet_2-b")
        XCTAssertEqual(spec.input, InputSpec(
            format: .csv,
            columns: [.id: "vehicle", .t: "ts", .lon: "x", .lat: "y", .wkt: "shape", .role: "kind"],
            endpoint: "tcp://127.0.0.1:5550", strict: true))
        XCTAssertEqual(spec.bbox, Rect(minX: -74.3, minY: 40.5, maxX: -73.7, maxY: 40.95))
        XCTAssertEqual(spec.window, WindowSpec(size: 120_000, slide: 1_500, lateness: 500))
        XCTAssertEqual(spec.stages, [
            StageSpec(name: "coarse", partition: PartitionSpec(by: .space, workers: 3, halo: 500),
                      operatorSpec: .heatmap(HeatmapSpec(cells: .level(14), minCount: 5)),
                      endpoints: ["tcp://127.0.0.1:5601", "tcp://127.0.0.1:5602", "ipc:///tmp/coarse-3"]),
            StageSpec(name: "fine", partition: PartitionSpec(by: .id, workers: 64, halo: 0),
                      operatorSpec: .heatmap(HeatmapSpec(cells: .metres(1_500), minCount: 1)), endpoints: nil),
        ])
        XCTAssertEqual(spec.checkpoint, CheckpointSpec(directory: "/srv/pipelines/state/fleet", every: .events(10_000), keep: 7))
        XCTAssertEqual(spec.output, OutputSpec(endpoint: "tcp://0.0.0.0:5560", collect: "inproc://results"))
        XCTAssertEqual(spec.baseDirectory, "/srv/pipelines")
    }

    func testInputFormatsAndStrictSpellings() throws {
        for format in InputFormat.allCases {
            let spec = try PipelineLoader.load(yaml: Self.minimal + "\ninput: { format: \(format.rawValue), strict: false }")
            XCTAssertEqual(spec.input.format, format)
            XCTAssertFalse(spec.input.strict)
        }
        for (text, expected) in [("true", true), ("yes", true), ("on", true), ("false", false), ("no", false), ("off", false)] {
            let spec = try PipelineLoader.load(yaml: Self.minimal + "\ninput: { strict: \(text) }")
            XCTAssertEqual(spec.input.strict, expected, text)
            XCTAssertNil(spec.input.format, "absent format means detect")
        }
    }

    func testCheckpointEveryAsEventTimeOrCountAndAbsoluteDirectory() throws {
        let byTime = try PipelineLoader.load(yaml: Self.minimal + "\ncheckpoint: { dir: /var/lib/geostream, every: 10s }",
                                             baseDirectory: "/srv")
        XCTAssertEqual(byTime.checkpoint, CheckpointSpec(directory: "/var/lib/geostream", every: .eventTime(10_000), keep: 3))
        let byCount = try PipelineLoader.load(yaml: Self.minimal + "\ncheckpoint: { dir: .state, every: 1 event }")
        XCTAssertEqual(byCount.checkpoint, CheckpointSpec(directory: ".state", every: .events(1), keep: 3),
                       "no base directory: the path stays as written")
        XCTAssertEqual(byCount.resolvedPath("fences/a.geojson"), "fences/a.geojson")
        XCTAssertEqual(byTime.resolvedPath("fences/a.geojson"), "/srv/fences/a.geojson")
        XCTAssertEqual(byTime.resolvedPath("/etc/zones.geojson"), "/etc/zones.geojson")
    }

    func testWindowDurationUnitsAndZeroLateness() throws {
        let cases: [(String, WindowSpec)] = [
            ("{ size: 1d, slide: 2h, lateness: 0 }", WindowSpec(size: 86_400_000, slide: 7_200_000, lateness: 0)),
            ("{ size: 5m, slide: 60s, lateness: 0s }", WindowSpec(size: 300_000, slide: 60_000, lateness: 0)),
            ("{ size: 500ms, slide: 500ms }", WindowSpec(size: 500, slide: 500, lateness: 0)),
            ("{ size: 7s, slide: 3s, lateness: 0.25s }", WindowSpec(size: 7_000, slide: 3_000, lateness: 250)),
        ]
        for (text, expected) in cases {
            let yaml = Self.minimal.replacingOccurrences(of: "{ size: 60s, slide: 5s }", with: text)
            XCTAssertEqual(try PipelineLoader.load(yaml: yaml).window, expected, text)
        }
    }

    func testPartitionDefaultsAndHaloOnlyBySpace() throws {
        let yaml = """
            name: p
            window: { size: 10s, slide: 10s }
            stages:
              - { name: a, operator: heatmap, level: 0, partition: { by: space } }
              - { name: b, operator: heatmap, level: 24, partition: { by: id, workers: 1, halo: 0m } }
              - { name: c, operator: heatmap, cell: 2km, partition: { by: space, workers: 2, halo: 75m } }
            """
        let stages = try PipelineLoader.load(yaml: yaml).stages
        XCTAssertEqual(stages.map(\.partition), [
            PartitionSpec(by: .space, workers: 1, halo: 0),
            PartitionSpec(by: .id, workers: 1, halo: 0),
            PartitionSpec(by: .space, workers: 2, halo: 75),
        ])
        XCTAssertEqual(stages.map(\.operatorSpec), [
            .heatmap(HeatmapSpec(cells: .level(0))), .heatmap(HeatmapSpec(cells: .level(24))),
            .heatmap(HeatmapSpec(cells: .metres(2_000))),
        ])
    }

    func testCommentsAnchorsAndQuotedValuesAreOrdinaryYAML() throws {
        let yaml = """
            name: "anchored"   # quoted name
            window: &w { size: 60s, slide: 5s }
            stages:
              - name: 'one'
                operator: heatmap
                cell: "250m"
                partition: &p { by: space, workers: 2 }
              - { name: two, operator: heatmap, cell: 100m, partition: *p }
            """
        let spec = try PipelineLoader.load(yaml: yaml)
        XCTAssertEqual(spec.name, "anchored")
        XCTAssertEqual(spec.stages.map(\.partition), [PartitionSpec(by: .space, workers: 2), PartitionSpec(by: .space, workers: 2)])
        XCTAssertEqual(spec.stages[0].operatorSpec, .heatmap(HeatmapSpec(cells: .metres(250))))
    }

    func testSummaryNamesStagesPartitionsAndWindow() throws {
        let yaml = """
            name: fleet
            window: { size: 60s, slide: 5s, lateness: 2s }
            stages:
              - { name: zones, operator: heatmap, level: 12, partition: { by: id, workers: 2 } }
              - { name: hot, operator: heatmap, cell: 50m }
            """
        XCTAssertEqual(try PipelineLoader.load(yaml: yaml).summary,
                       "pipeline fleet: 2 stages (zones: heatmap, partition by id × 2 workers; hot: heatmap, partition by space × 1 worker), window 1m/5s/2s")
        XCTAssertEqual(try PipelineLoader.load(yaml: Self.minimal).summary,
                       "pipeline quick: 1 stage (heat: heatmap, partition by space × 1 worker), window 1m/5s/0s")
    }

    func testJSONRenderingHoldsResolvedValues() throws {
        let spec = try PipelineLoader.load(yaml: Self.minimal + "\ninput: { columns: { id: vehicle } }\ncheckpoint: { dir: ck, every: 5s }",
                                           baseDirectory: "/p")
        let json = JSONWriter.render(spec.jsonValue)
        let parsed = try JSONValue(parsing: json)
        guard case let .object(object) = parsed else { return XCTFail("not an object: \(json)") }
        XCTAssertEqual(object["name"], .string("quick"))
        XCTAssertEqual(object["window"], .object(["size_ms": .integer(60_000), "slide_ms": .integer(5_000), "lateness_ms": .integer(0)]))
        XCTAssertEqual(object["checkpoint"], .object(["dir": .string("/p/ck"), "every_ms": .integer(5_000), "keep": .integer(3)]))
        guard case let .object(input)? = object["input"] else { return XCTFail("no input in \(json)") }
        XCTAssertEqual(input["columns"], .object(["id": .string("vehicle")]))
        guard case let .array(stages)? = object["stages"], case let .object(stage)? = stages.first else {
            return XCTFail("no stages in \(json)")
        }
        XCTAssertEqual(stage["cell_m"], .double(250))
        XCTAssertEqual(stage["min_count"], .integer(1))
    }
}
