import ArtifactStores
import Foundation
import Testing

/// The signer against AWS's published Signature Version 4 test suite (`aws-sig-v4-test-suite`: credentials
/// AKIDEXAMPLE, region us-east-1, service `service`, 2015-08-30T12:36:00Z) and the S3 GET Object example of the S3
/// API reference ("Signature Calculations for the Authorization Header").
@Suite struct SigV4SignerTests {
    static let suite = SigV4Signer(
        credentials: S3Credentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
        region: "us-east-1", service: "service")
    static let date = Date(timeIntervalSince1970: 1_440_938_160)  // 20150830T123600Z
    static let empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    static let credential = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "

    @Test("get-vanilla: canonical request, string to sign and Authorization header")
    func getVanilla() {
        let signed = Self.suite.sign(
            method: "GET", path: "/", headers: [("Host", "example.amazonaws.com")], payloadHash: Self.empty, date: Self.date)
        #expect(signed.canonicalRequest == """
            GET
            /

            host:example.amazonaws.com
            x-amz-date:20150830T123600Z

            host;x-amz-date
            \(Self.empty)
            """)
        #expect(signed.stringToSign == """
            AWS4-HMAC-SHA256
            20150830T123600Z
            20150830/us-east-1/service/aws4_request
            bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63
            """)
        #expect(signed.authorization == Self.credential
            + "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
    }

    @Test("get-vanilla-query-order-key-case: parameters sorted by name")
    func queryOrderKey() {
        let signed = Self.suite.sign(
            method: "GET", path: "/", query: [("Param2", "value2"), ("Param1", "value1")],
            headers: [("Host", "example.amazonaws.com")], payloadHash: Self.empty, date: Self.date)
        #expect(signed.canonicalRequest.split(separator: "\n", omittingEmptySubsequences: false)[2] == "Param1=value1&Param2=value2")
        #expect(signed.signature == "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500")
    }

    @Test("get-vanilla-query-order-value: a repeated name sorted by value")
    func queryOrderValue() {
        let signed = Self.suite.sign(
            method: "GET", path: "/", query: [("Param1", "value2"), ("Param1", "value1")],
            headers: [("Host", "example.amazonaws.com")], payloadHash: Self.empty, date: Self.date)
        #expect(signed.signature == "5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694")
    }

    @Test("get-unreserved: unreserved characters are not encoded")
    func unreserved() {
        let signed = Self.suite.sign(
            method: "GET", path: "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
            headers: [("Host", "example.amazonaws.com")], payloadHash: Self.empty, date: Self.date)
        #expect(signed.signature == "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f")
    }

    @Test("post-x-www-form-urlencoded: a signed content type and body hash")
    func postForm() {
        let body = "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e"  // SHA-256 of "Param1=value1"
        let signed = Self.suite.sign(
            method: "POST", path: "/",
            headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Host", "example.amazonaws.com")],
            payloadHash: body, date: Self.date)
        #expect(signed.authorization == Self.credential
            + "SignedHeaders=content-type;host;x-amz-date, Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a")
    }

    @Test("S3 GET Object example: range and x-amz-content-sha256 headers, service s3")
    func s3GetObject() {
        let signer = SigV4Signer(
            credentials: S3Credentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
            region: "us-east-1", service: "s3")
        let signed = signer.sign(
            method: "GET", path: "/test.txt",
            headers: [("Host", "examplebucket.s3.amazonaws.com"), ("Range", "bytes=0-9"), ("x-amz-content-sha256", Self.empty)],
            payloadHash: Self.empty, date: Date(timeIntervalSince1970: 1_369_353_600))  // 20130524T000000Z
        #expect(signed.stringToSign.hasSuffix("7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972"))
        #expect(signed.signature == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    @Test("a session token is signed as x-amz-security-token")
    func sessionToken() {
        var signer = Self.suite
        signer.credentials.sessionToken = "token/with+chars"
        let signed = signer.sign(
            method: "GET", path: "/", headers: [("Host", "example.amazonaws.com")], payloadHash: Self.empty, date: Self.date)
        #expect(signed.canonicalRequest.contains("\nx-amz-security-token:token/with+chars\n"))
        #expect(signed.authorization.contains("SignedHeaders=host;x-amz-date;x-amz-security-token,"))
        #expect(signed.headers.contains { $0.name == "x-amz-security-token" && $0.value == "token/with+chars" })
    }

    @Test("paths and query values are percent-encoded once, with uppercase hex")
    func encoding() {
        #expect(SigV4Signer.canonicalPath("/bucket/a b/ü+=") == "/bucket/a%20b/%C3%BC%2B%3D")
        #expect(SigV4Signer.canonicalQuery([("prefix", "runs/sha256/"), ("list-type", "2")])
            == "list-type=2&prefix=runs%2Fsha256%2F")
    }
}
