package com.gururmm.agent.events;

import com.gururmm.protocol.wire.AgentEvent;
import java.io.IOException;
import java.io.StringReader;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

/**
 * Turns System-log event XML (Microsoft's event schema,
 * {@code http://schemas.microsoft.com/win/2004/08/events/event}) into {@link AgentEvent}s:
 *
 * <ul>
 *   <li>Event 1001 of {@code Microsoft-Windows-WER-SystemErrorReporting} (source {@code BugCheck}),
 *       "The computer has rebooted from a bugcheck. The bugcheck was: 0x0000009f (...). A dump was
 *       saved in: ...": {@code param1} is the code with its four parameters, {@code param2} the dump
 *       path, {@code param3} the report id. Becomes kind {@code bugcheck}, severity {@code critical}.</li>
 *   <li>Event 41 of {@code Microsoft-Windows-Kernel-Power}, "The system has rebooted without cleanly
 *       shutting down first": {@code BugcheckCode} (decimal) and {@code BugcheckParameter1..4}.
 *       Becomes kind {@code unexpected_shutdown}: {@code critical} when it carries a bugcheck code
 *       (a crash whose dump may not have been written), {@code warning} when the code is 0 (power
 *       loss, a hard reset, a hang).</li>
 * </ul>
 *
 * Any other event (another provider's 1001, say Windows Error Reporting's) is skipped, as is one
 * without a record id or time. The event key is {@code windows-system:<EventRecordID>:<epoch ms>}:
 * record ids restart when the log is cleared, the time tells those apart.
 */
public final class BugcheckParser {
    static final String WER_PROVIDER = "Microsoft-Windows-WER-SystemErrorReporting";
    static final String KERNEL_POWER = "Microsoft-Windows-Kernel-Power";
    private static final Pattern BUGCHECK = Pattern.compile("\\s*(0x[0-9a-fA-F]{1,16})\\s*(?:\\(([^)]*)\\))?.*", Pattern.DOTALL);
    private static final int MAX_VALUE = 1000;

    private BugcheckParser() {
    }

    /** Parses wevtutil's output: {@code <Event>} elements one after another, with no root element. */
    public static List<AgentEvent> parse(String eventsXml) throws IOException {
        String body = eventsXml == null ? "" : eventsXml.strip();
        if (body.startsWith("<?xml")) {
            int end = body.indexOf("?>");
            body = end < 0 ? "" : body.substring(end + 2);
        }
        Document doc = parseDocument("<Events>" + body + "</Events>");
        List<AgentEvent> out = new ArrayList<>();
        NodeList events = doc.getDocumentElement().getChildNodes();
        for (int i = 0; i < events.getLength(); i++) {
            if (events.item(i) instanceof Element event && event.getLocalName().equals("Event")) {
                toAgentEvent(event).ifPresent(out::add);
            }
        }
        return out;
    }

    private static Document parseDocument(String xml) throws IOException {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            // Event text is data, never a reason to open files or expand entities (XXE).
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setXIncludeAware(false);
            factory.setExpandEntityReferences(false);
            DocumentBuilder builder = factory.newDocumentBuilder();
            builder.setErrorHandler(new org.xml.sax.helpers.DefaultHandler() {
                @Override
                public void fatalError(org.xml.sax.SAXParseException e) throws SAXException {
                    throw e; // not printed to stderr first, as the JDK's default handler would
                }
            });
            return builder.parse(new InputSource(new StringReader(xml)));
        } catch (ParserConfigurationException | SAXException e) {
            throw new IOException("the event log's XML could not be parsed: " + e.getMessage(), e);
        }
    }

    static Optional<AgentEvent> toAgentEvent(Element event) {
        Element system = child(event, "System");
        if (system == null) {
            return Optional.empty();
        }
        Element provider = child(system, "Provider");
        String providerName = provider == null ? "" : provider.getAttribute("Name");
        String eventId = text(child(system, "EventID"));
        String recordId = text(child(system, "EventRecordID"));
        Element created = child(system, "TimeCreated");
        Instant time;
        try {
            time = created == null ? null : Instant.parse(created.getAttribute("SystemTime"));
        } catch (DateTimeParseException e) {
            time = null;
        }
        if (recordId == null || !recordId.matches("\\d{1,20}") || time == null) {
            return Optional.empty();
        }
        Map<String, String> data = eventData(event);
        String key = "windows-system:" + recordId + ":" + time.toEpochMilli();
        String computer = text(child(system, "Computer"));
        if (WER_PROVIDER.equals(providerName) && "1001".equals(eventId)) {
            return Optional.of(bugcheck(data, key, time, recordId, computer));
        }
        if (KERNEL_POWER.equals(providerName) && "41".equals(eventId)) {
            return Optional.of(unexpectedShutdown(data, key, time, recordId, computer));
        }
        return Optional.empty();
    }

    private static AgentEvent bugcheck(Map<String, String> data, String key, Instant time, String recordId, String computer) {
        String param1 = data.getOrDefault("param1", "");
        Matcher m = BUGCHECK.matcher(param1);
        String code = m.matches() ? normaliseCode(m.group(1)) : "unknown";
        String parameters = m.matches() && m.group(2) != null ? m.group(2).strip() : "";
        String dump = data.getOrDefault("param2", "").strip();
        Map<String, String> details = new LinkedHashMap<>();
        details.put("code", code);
        BugcheckNames.name(code).ifPresent(name -> details.put("name", name));
        details.put("parameters", parameters);
        details.put("dump_path", dump);
        putIfPresent(details, "report_id", data.get("param3"));
        details.put("source", WER_PROVIDER + " 1001");
        details.put("record_id", recordId);
        putIfPresent(details, "computer", computer);
        String summary = "Bugcheck " + code + BugcheckNames.name(code).map(n -> " (" + n + ")").orElse("")
                + (dump.isEmpty() ? "; no dump was saved" : "; dump saved to " + dump);
        return new AgentEvent(AgentEvent.BUGCHECK, "critical", clip(summary, 500), key, time, clipped(details));
    }

    private static AgentEvent unexpectedShutdown(Map<String, String> data, String key, Instant time, String recordId, String computer) {
        long codeValue;
        try {
            codeValue = Long.parseLong(data.getOrDefault("BugcheckCode", "0").strip());
        } catch (NumberFormatException e) {
            codeValue = 0;
        }
        Map<String, String> details = new LinkedHashMap<>();
        String summary;
        String severity;
        if (codeValue != 0) {
            String code = String.format(Locale.ROOT, "0x%08x", codeValue);
            details.put("code", code);
            BugcheckNames.name(code).ifPresent(name -> details.put("name", name));
            List<String> params = new ArrayList<>();
            for (int p = 1; p <= 4; p++) {
                params.add(data.getOrDefault("BugcheckParameter" + p, "0x0").strip());
            }
            details.put("parameters", String.join(", ", params));
            summary = "Unexpected shutdown (Kernel-Power 41) after bugcheck " + code + BugcheckNames.name(code).map(n -> " (" + n + ")").orElse("");
            severity = "critical";
        } else {
            summary = "Unexpected shutdown (Kernel-Power 41): the machine restarted without shutting down cleanly"
                    + " (power loss, a hard reset or a hang)";
            severity = "warning";
        }
        putIfPresent(details, "sleep_in_progress", data.get("SleepInProgress"));
        putIfPresent(details, "power_button_timestamp", data.get("PowerButtonTimestamp"));
        details.put("source", KERNEL_POWER + " 41");
        details.put("record_id", recordId);
        putIfPresent(details, "computer", computer);
        return new AgentEvent(AgentEvent.UNEXPECTED_SHUTDOWN, severity, clip(summary, 500), key, time, clipped(details));
    }

    /** {@code 0x9f} and {@code 0x0000009F} alike become {@code 0x0000009f}, as the bugcheck reference writes them. */
    static String normaliseCode(String hex) {
        long value = Long.parseUnsignedLong(hex.substring(2), 16);
        return String.format(Locale.ROOT, "0x%08x", value);
    }

    private static Map<String, String> eventData(Element event) {
        Map<String, String> data = new LinkedHashMap<>();
        Element eventData = child(event, "EventData");
        if (eventData == null) {
            return data;
        }
        NodeList items = eventData.getChildNodes();
        for (int i = 0; i < items.getLength(); i++) {
            if (items.item(i) instanceof Element item && item.getLocalName().equals("Data") && item.hasAttribute("Name")) {
                data.put(item.getAttribute("Name"), item.getTextContent());
            }
        }
        return data;
    }

    private static Element child(Element parent, String localName) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && localName.equals(e.getLocalName())) {
                return e;
            }
        }
        return null;
    }

    private static String text(Element e) {
        return e == null ? null : e.getTextContent().strip();
    }

    private static void putIfPresent(Map<String, String> details, String key, String value) {
        if (value != null && !value.isBlank()) {
            details.put(key, value.strip());
        }
    }

    private static List<AgentEvent.Detail> clipped(Map<String, String> details) {
        Map<String, String> out = new LinkedHashMap<>();
        details.forEach((k, v) -> out.put(k, clip(v, MAX_VALUE)));
        return AgentEvent.details(out);
    }

    private static String clip(String text, int max) {
        return text.length() > max ? text.substring(0, max) : text;
    }
}
