import ArgumentParser

/// The `geostream` command line: thin wrappers that parse arguments, call the library targets and
/// map their errors to exit codes. No geometry or index logic lives here.
@main
struct Geostream: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "geostream",
        abstract: "Streaming spatial analytics: sliding-window R-trees, geofence alerts, hotspot clustering.",
        discussion: """
            `geostream run` runs a pipeline file (pipelines/*.yaml, docs/pipeline-format.md) over a \
            stream from a file or stdin and publishes its results on ZeroMQ topics; `replay` does the \
            same paced by event time, `stage` runs one stage per process for multi-host runs, and \
            `check` validates a pipeline file. `ingest` PUSHes events as binary frames to a pipeline, \
            `subscribe` prints its published results, `query` asks its current window, `inspect` decodes a frame file, and `index` \
            queries a file through an R-tree or a sliding window without a pipeline.

            Examples (samples/ holds real recordings to try):
              geostream run pipelines/quickstart.yaml samples/ais-uscoast-2020-06-30-first2000.csv --out results.ndjson
              cat samples/ais-nyharbor-2020-06-30.csv | geostream run pipelines/harbor-heatmap.yaml --processes
              geostream subscribe heatmap stats
              geostream check pipelines/*.yaml
              geostream ingest positions.csv --connect tcp://127.0.0.1:5550
              geostream index positions.csv --nearest -74.02,40.68 -k 3
            """,
        version: "0.1.0",
        subcommands: [RunCommand.self, ReplayCommand.self, StageCommand.self, CheckCommand.self, IngestCommand.self, SubscribeCommand.self, QueryCommand.self, InspectCommand.self, IndexCommand.self]
    )
}
