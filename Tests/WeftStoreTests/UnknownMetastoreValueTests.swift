import Foundation
import GRDB
import Testing
import WeftDomain

@testable import WeftStore

/// A stage, kind or settings value this Weft does not know (a newer Weft wrote it, or a hand edit) is an error that
/// names the fabric and the value — never silently read as `development` or `local`.
@Suite struct UnknownMetastoreValueTests {
    static func insertFabric(_ t: TempWorkspace, name: String, stage: String = "development", kind: String = "local", settings: String = "{}") throws {
        try t.ws.metastore.pool.write { db in
            try db.execute(
                sql: "INSERT INTO fabrics(name, owner_team, stage, kind, slots, settings, created_at) VALUES (?,?,?,?,?,?,?)",
                arguments: [name, "developers", stage, kind, 2, settings, Date().timeIntervalSince1970])
        }
    }

    static func message(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch let e as WeftError {
            guard case .workspace(let message) = e else { return "unexpected \(e)" }
            return message
        } catch {
            return "unexpected \(error)"
        }
    }

    @Test func anUnknownStageIsAnError() throws {
        let t = try TempWorkspace()
        try Self.insertFabric(t, name: "staging_fabric", stage: "staging")
        let expected =
            "fabric staging_fabric has stage 'staging' in the metastore, which this Weft does not know (it knows development, qa, production); upgrade Weft, or fix the fabric's row in weft.sqlite"
        #expect(Self.message { _ = try t.ws.fabric("staging_fabric") } == expected)
        #expect(Self.message { _ = try t.ws.fabrics() } == expected)
        // Other fabrics are still read one by one.
        #expect(try t.ws.fabric("development").stage == .development)
        #expect(try t.ws.fabric("production").stage == .production)
    }

    @Test func anUnknownKindIsAnError() throws {
        let t = try TempWorkspace()
        try Self.insertFabric(t, name: "k8s_fabric", stage: "production", kind: "kubernetes")
        let expected =
            "fabric k8s_fabric has kind 'kubernetes' in the metastore, which this Weft does not know (it knows local, spark, airflow, databricks); upgrade Weft, or fix the fabric's row in weft.sqlite"
        #expect(Self.message { _ = try t.ws.fabric("k8s_fabric") } == expected)
        #expect(Self.message { _ = try t.ws.fabrics() } == expected)
        // Nothing pretends the fabric is a local one.
        #expect(Self.message { _ = try t.ws.fabricDetails(t.bob, "k8s_fabric") } == expected)
    }

    @Test func unreadableSettingsAreAnError() throws {
        let t = try TempWorkspace()
        try Self.insertFabric(t, name: "odd_settings", settings: #"{"sandbox": true}"#)
        let message = Self.message { _ = try t.ws.fabric("odd_settings") }
        #expect(message?.hasPrefix("fabric odd_settings has settings in the metastore that are not a JSON object of strings") == true, "\(message ?? "no error")")
    }

    @Test func knownValuesStillRead() throws {
        let t = try TempWorkspace()
        try Self.insertFabric(t, name: "qa_spark", stage: "qa", kind: "spark", settings: #"{"master": "local[2]"}"#)
        let f = try t.ws.fabric("qa_spark")
        #expect(f.stage == .qa && f.kind == .spark && f.slots == 2 && f.settings == ["master": "local[2]"] && f.secretNames.isEmpty)
        #expect(try t.ws.fabrics().map(\.name) == ["development", "production", "qa", "qa_spark"])
        #expect(throws: WeftError.notFound(kind: "fabric", name: "nope", hint: "list fabrics with 'weft fabric list'")) { try t.ws.fabric("nope") }
    }

    @Test func secretNamesComeWithTheFabric() throws {
        let t = try TempWorkspace()
        try t.ws.setSecret(t.bob, fabric: "production", secret: "warehouse_password", value: "value-not-used")
        try t.ws.setSecret(t.bob, fabric: "production", secret: "api_token", value: "value-not-used")
        let expected = ["anonymisation_salt", "api_token", "warehouse_password"]
        #expect(try t.ws.fabric("production").secretNames == expected)
        #expect(try t.ws.fabrics().first { $0.name == "production" }?.secretNames == expected)
        #expect(try t.ws.fabric("development").secretNames == ["anonymisation_salt"])
    }
}
