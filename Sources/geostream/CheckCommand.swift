import ArgumentParser
import Foundation
import Runtime
import Wire

/// `geostream check`: load pipeline files and report whether they are valid, without running them,
/// so a typo is caught before a long run (or a deploy to several hosts) starts.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate pipeline files without running them.",
        discussion: """
            Loads each FILE as `geostream run` would (schema: docs/pipeline-format.md) and prints, on \
            stdout, one line per valid file:
              FILE: ok — pipeline NAME: N stages (STAGE: OPERATOR, partition by space|id × W workers), \
            window SIZE/SLIDE/LATENESS
            or, on stderr, the problems of each invalid file as FILE:LINE: KEY.PATH: MESSAGE, one a \
            line in file order (the first in each top-level section and in each stage, so one typo \
            does not bury the rest under follow-on errors). Every file is checked even after one fails.

            --json prints each valid pipeline as one JSON line instead: every default filled in, \
            relative paths resolved, durations in ms and distances in metres.

            Exit status: 0 when every file is valid, 65 when any is not.

            Examples:
              geostream check pipelines/quickstart.yaml
              geostream check pipelines/*.yaml
              geostream check --json pipelines/quickstart.yaml
            """
    )

    @Argument(help: ArgumentHelp("Pipeline files to validate.", valueName: "file"))
    var files: [String]

    @Flag(help: "Print each valid pipeline, resolved, as one JSON line.")
    var json = false

    func run() throws {
        var failed = false
        for file in files {
            let diagnosis = PipelineLoader.diagnose(path: file)
            if let spec = diagnosis.spec {
                let line = json ? JSONWriter.render(spec.jsonValue) : "\(file): ok — \(spec.summary)"
                FileHandle.standardOutput.write(Data((line + "\n").utf8))
            } else {
                failed = true
                for error in diagnosis.errors { note(error.description) }
            }
        }
        if failed { throw ExitCode(65) }
    }
}
