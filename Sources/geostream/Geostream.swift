import ArgumentParser

/// The `geostream` command line: thin wrappers that parse arguments, call the library targets and
/// map their errors to exit codes. No geometry or index logic lives here.
@main
struct Geostream: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "geostream",
        abstract: "Streaming spatial analytics: sliding-window R-trees, geofence alerts, hotspot clustering.",
        discussion: """
            `geostream index` loads a CSV of positions into an R-tree or replays it through an \
            event-time sliding window and answers spatial queries. `geostream ingest` PUSHes events \
            as binary frames to a pipeline, `geostream subscribe` prints its published results, and \
            `geostream inspect` decodes a frame file. Pipeline commands (run, stage, query) arrive \
            with the pipeline runtime.

            Examples (samples/ holds real recordings to try):
              geostream index positions.csv --nearest -74.02,40.68 -k 3
              geostream index positions.csv --window 10m --bbox -74.3,40.4,-73.7,40.95
              geostream ingest positions.csv --connect tcp://127.0.0.1:5550
              cat zones.geojsonl | geostream ingest --write-frames zones.frames
              geostream inspect zones.frames --summary
              geostream subscribe alerts clusters --count 10
            """,
        version: "0.1.0",
        subcommands: [RunCommand.self, ReplayCommand.self, StageCommand.self, CheckCommand.self, IngestCommand.self, SubscribeCommand.self, InspectCommand.self, IndexCommand.self]
    )
}
