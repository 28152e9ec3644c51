package com.gururmm.server.notify;

import com.gururmm.server.config.NotificationSettings;
import jakarta.mail.Address;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.Properties;
import java.util.UUID;
import org.eclipse.angus.mail.smtp.SMTPTransport;

/**
 * Sends a notice as a plain-text e-mail over SMTP (Angus Mail). Every socket operation is
 * bounded by the connect and read timeouts. TLS modes: {@code starttls_required} refuses a
 * server that does not offer STARTTLS (no silent fall-back to clear text, which would expose the
 * password), {@code starttls_optional} upgrades when offered, {@code tls} is implicit TLS (port
 * 465), {@code none} is clear text (loopback relays only). Server certificates are checked
 * against the JVM's trust store and the host name. The password is handed to the transport only;
 * mail debug output (which would print the AUTH exchange) is never enabled.
 */
final class SmtpSender {
    static final java.util.Set<String> TLS_MODES = java.util.Set.of("starttls_required", "starttls_optional", "tls", "none");

    private final NotificationSettings settings;

    SmtpSender(NotificationSettings settings) {
        this.settings = settings;
    }

    Outcome send(ChannelSettings channel, String password, Notice notice, UUID deliveryId) {
        boolean implicitTls = "tls".equals(channel.smtpTls());
        String protocol = implicitTls ? "smtps" : "smtp";
        String p = "mail." + protocol + ".";
        Properties props = new Properties();
        props.put(p + "host", channel.smtpHost());
        props.put(p + "port", Integer.toString(channel.smtpPort()));
        props.put(p + "connectiontimeout", Long.toString(settings.connectTimeout().toMillis()));
        props.put(p + "timeout", Long.toString(settings.readTimeout().toMillis()));
        props.put(p + "writetimeout", Long.toString(settings.readTimeout().toMillis()));
        props.put(p + "ssl.checkserveridentity", "true");
        boolean auth = channel.smtpUsername() != null && !channel.smtpUsername().isEmpty();
        props.put(p + "auth", Boolean.toString(auth));
        switch (channel.smtpTls() == null ? "starttls_required" : channel.smtpTls()) {
            case "starttls_required" -> {
                props.put(p + "starttls.enable", "true");
                props.put(p + "starttls.required", "true");
            }
            case "starttls_optional" -> props.put(p + "starttls.enable", "true");
            case "tls" -> props.put(p + "ssl.enable", "true");
            default -> {
                // clear text
            }
        }
        Session session = Session.getInstance(props);
        session.setDebug(false);
        try {
            MimeMessage message = new MimeMessage(session);
            message.setFrom(new InternetAddress(channel.emailFrom(), true));
            for (String to : channel.emailTo()) {
                message.addRecipient(Message.RecipientType.TO, new InternetAddress(to, true));
            }
            message.setSubject(Texts.clip(notice.subject().replaceAll("[\\r\\n]+", " "), 250), StandardCharsets.UTF_8.name());
            message.setText(notice.body(), StandardCharsets.UTF_8.name());
            message.setSentDate(new Date());
            message.setHeader("X-GuruRMM-Delivery", deliveryId.toString());
            message.saveChanges();
            try (Transport transport = session.getTransport(protocol)) {
                if (auth) {
                    transport.connect(channel.smtpHost(), channel.smtpPort(), channel.smtpUsername(), password);
                } else {
                    transport.connect();
                }
                Address[] recipients = message.getAllRecipients();
                transport.sendMessage(message, recipients);
                return Outcome.success(null, lastReply(transport));
            }
        } catch (AuthenticationFailedException e) {
            return Outcome.failure(null, e.getMessage(), "the SMTP server refused the login for '" + channel.smtpUsername() + "': "
                    + Texts.orEmpty(e.getMessage()).strip());
        } catch (SendFailedException e) {
            return Outcome.failure(null, e.getMessage(), "the SMTP server refused the message: " + describe(e));
        } catch (MessagingException e) {
            return Outcome.failure(null, null, "SMTP to " + channel.smtpHost() + ":" + channel.smtpPort() + " failed: " + describe(e));
        } catch (RuntimeException e) {
            return Outcome.failure(null, null, "SMTP failed: " + e);
        }
    }

    private static String lastReply(Transport transport) {
        return transport instanceof SMTPTransport smtp ? Texts.orEmpty(smtp.getLastServerResponse()).strip() : "sent";
    }

    /** The exception chain in one line (the server's reply is usually in the message; a cause says timeout or TLS). */
    private static String describe(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (Throwable t = e; t != null && b.length() < 1500; t = t.getCause()) {
            if (!b.isEmpty()) {
                b.append(" <- ");
            }
            b.append(t.getClass().getSimpleName()).append(": ").append(Texts.orEmpty(t.getMessage()).strip());
            if (t.getCause() == t) {
                break;
            }
        }
        return b.toString();
    }
}
