package com.gururmm.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 6238 Appendix B test vectors, RFC 4648 base32 vectors, the drift window and the sealing of secrets. */
class TotpTest {
    private static final byte[] SHA1_KEY = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SHA256_KEY = "12345678901234567890123456789012".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SHA512_KEY = "1234567890123456789012345678901234567890123456789012345678901234".getBytes(StandardCharsets.US_ASCII);

    @ParameterizedTest(name = "T={0}")
    @CsvSource({
            "59, 94287082, 46119246, 90693936",
            "1111111109, 07081804, 68084774, 25091201",
            "1111111111, 14050471, 67062674, 99943326",
            "1234567890, 89005924, 91819424, 93441116",
            "2000000000, 69279037, 90698825, 38618901",
            "20000000000, 65353130, 77737706, 47863826"})
    void rfc6238AppendixB(long seconds, String sha1, String sha256, String sha512) {
        long step = Totp.step(Instant.ofEpochSecond(seconds));
        assertThat(Totp.code(SHA1_KEY, step, "HmacSHA1", 8)).isEqualTo(sha1);
        assertThat(Totp.code(SHA256_KEY, step, "HmacSHA256", 8)).isEqualTo(sha256);
        assertThat(Totp.code(SHA512_KEY, step, "HmacSHA512", 8)).isEqualTo(sha512);
        // The 6-digit code apps show is the low six digits of the same value.
        assertThat(Totp.code(SHA1_KEY, step)).isEqualTo(sha1.substring(2));
    }

    @Test
    void acceptsOneStepOfDriftEitherWayAndNoMore() {
        Instant now = Instant.ofEpochSecond(1_700_000_015); // mid-step
        long step = Totp.step(now);
        for (int d = -1; d <= 1; d++) {
            assertThat(Totp.matchingStep(SHA1_KEY, Totp.code(SHA1_KEY, step + d), now, 1)).isEqualTo(step + d);
        }
        assertThat(Totp.matchingStep(SHA1_KEY, Totp.code(SHA1_KEY, step + 2), now, 1)).isEqualTo(-1);
        assertThat(Totp.matchingStep(SHA1_KEY, Totp.code(SHA1_KEY, step - 2), now, 1)).isEqualTo(-1);
        assertThat(Totp.matchingStep(SHA1_KEY, "12345", now, 1)).isEqualTo(-1);
        assertThat(Totp.matchingStep(SHA1_KEY, "abcdef", now, 1)).isEqualTo(-1);
        assertThat(Totp.matchingStep(SHA1_KEY, null, now, 1)).isEqualTo(-1);
    }

    @ParameterizedTest
    @CsvSource({"f, MY", "fo, MZXQ", "foo, MZXW6", "foob, MZXW6YQ", "fooba, MZXW6YTB", "foobar, MZXW6YTBOI"})
    void base32AsRfc4648WithoutPadding(String plain, String encoded) {
        assertThat(Totp.base32(plain.getBytes(StandardCharsets.US_ASCII))).isEqualTo(encoded);
        assertThat(new String(Totp.fromBase32(encoded.toLowerCase()), StandardCharsets.US_ASCII)).isEqualTo(plain);
        assertThatThrownBy(() -> Totp.fromBase32("MZ1")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sealedSecretsOpenOnlyWithTheKeyAndForTheUserTheyWereSealedFor() {
        SecretBox box = new SecretBox(Secrets.randomBytes(32));
        String sealed = box.seal(SHA1_KEY, "user-a");
        assertThat(sealed).startsWith("v1:").doesNotContain(Totp.base32(SHA1_KEY));
        assertThat(box.open(sealed, "user-a")).isEqualTo(SHA1_KEY);
        assertThat(box.seal(SHA1_KEY, "user-a")).isNotEqualTo(sealed); // a fresh nonce each time
        assertThatThrownBy(() -> box.open(sealed, "user-b")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new SecretBox(Secrets.randomBytes(32)).open(sealed, "user-a")).isInstanceOf(IllegalStateException.class);
        char[] chars = sealed.toCharArray();
        chars[10] = chars[10] == 'A' ? 'B' : 'A';
        assertThatThrownBy(() -> box.open(new String(chars), "user-a")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void recoveryCodesAreTenDistinctAndTypedLooselyHashTheSame() {
        var codes = MfaService.newRecoveryCodes();
        assertThat(codes).hasSize(10).doesNotHaveDuplicates().allMatch(c -> c.matches("[a-z2-7]{5}-[a-z2-7]{5}"));
        assertThat(MfaService.recoveryHash(codes.get(0).toUpperCase().replace("-", " "))).isEqualTo(MfaService.recoveryHash(codes.get(0)));
    }

    /** What a phone's camera would do: the drawn modules decode (ZXing's reader) back to the exact otpauth URI. */
    @Test
    void qrCodeDecodesToTheUri() throws Exception {
        String uri = "otpauth://totp/GuruRMM:a%40b.example?secret=" + Totp.base32(SHA1_KEY) + "&issuer=GuruRMM&algorithm=SHA1&digits=6&period=30";
        com.google.zxing.common.BitMatrix m = QrCodes.matrix(uri);
        int scale = 4;
        int[] pixels = new int[m.getWidth() * scale * m.getHeight() * scale];
        for (int y = 0; y < m.getHeight() * scale; y++) {
            for (int x = 0; x < m.getWidth() * scale; x++) {
                pixels[y * m.getWidth() * scale + x] = m.get(x / scale, y / scale) ? 0xff000000 : 0xffffffff;
            }
        }
        var source = new com.google.zxing.RGBLuminanceSource(m.getWidth() * scale, m.getHeight() * scale, pixels);
        var result = new com.google.zxing.qrcode.QRCodeReader().decode(
                new com.google.zxing.BinaryBitmap(new com.google.zxing.common.HybridBinarizer(source)));
        assertThat(result.getText()).isEqualTo(uri);
    }

    @Test
    void qrCodeIsAnSvgOfTheUri() {
        String svg = QrCodes.svg("otpauth://totp/GuruRMM:a%40b?secret=MZXW6YTBOI&issuer=GuruRMM");
        assertThat(svg).startsWith("<svg").contains("<path").endsWith("</svg>");
        assertThat(QrCodes.svgDataUri("x")).startsWith("data:image/svg+xml;base64,");
    }
}
