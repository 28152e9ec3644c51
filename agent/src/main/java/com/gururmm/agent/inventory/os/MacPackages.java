package com.gururmm.agent.inventory.os;

import com.gururmm.protocol.wire.SystemInventory.Service;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/** Parsers for macOS: an app's {@code Info.plist} (XML form), {@code pkgutil} and {@code launchctl list} output. */
public final class MacPackages {
    private MacPackages() {
    }

    /** Name and version of an app bundle. */
    public record App(String name, String version) {
    }

    /**
     * The top-level string keys of an XML property list. Binary plists are converted to XML with
     * {@code plutil -convert xml1 -o -} first. DTDs and external entities are never loaded.
     */
    public static Map<String, String> plistStrings(String xml) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        factory.setFeature("http://xml.org/sax/features/external-general-entities", false);
        factory.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
        factory.setExpandEntityReferences(false);
        DocumentBuilder builder = factory.newDocumentBuilder();
        Element root = builder.parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8))).getDocumentElement();
        Map<String, String> out = new HashMap<>();
        NodeList dicts = root.getElementsByTagName("dict");
        if (dicts.getLength() == 0) {
            return out;
        }
        Node dict = dicts.item(0);
        String key = null;
        for (Node n = dict.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n.getNodeType() != Node.ELEMENT_NODE) {
                continue;
            }
            if (n.getNodeName().equals("key")) {
                key = n.getTextContent().trim();
            } else {
                if (key != null && n.getNodeName().equals("string")) {
                    out.put(key, n.getTextContent().trim());
                }
                key = null;
            }
        }
        return out;
    }

    /** {@code CFBundleShortVersionString} (else {@code CFBundleVersion}); the name from the plist or the bundle's folder name. */
    public static Optional<App> app(String bundleFolderName, String plistXml) throws Exception {
        Map<String, String> keys = plistStrings(plistXml);
        String version = keys.getOrDefault("CFBundleShortVersionString", keys.get("CFBundleVersion"));
        String name = keys.getOrDefault("CFBundleName", bundleFolderName.replaceFirst("\\.app$", ""));
        return version == null ? Optional.empty() : Optional.of(new App(name, version));
    }

    /** {@code pkgutil --pkgs}: one package id a line. */
    public static List<String> pkgIds(String output) {
        return output.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }

    /** {@code pkgutil --pkg-info ID}: {@code key: value} lines; the version, if any. */
    public static Optional<String> pkgVersion(String output) {
        return output.lines().filter(l -> l.startsWith("version:")).map(l -> l.substring(8).strip()).filter(v -> !v.isEmpty()).findFirst();
    }

    /** {@code launchctl list}: {@code PID STATUS LABEL} with a header line; a PID means running. */
    public static List<Service> launchctl(String output) {
        List<Service> out = new ArrayList<>();
        for (String line : output.split("\n")) {
            String[] f = line.strip().split("\t");
            if (f.length != 3 || f[0].equals("PID")) {
                continue;
            }
            boolean running = !f[0].equals("-");
            String state = running ? "running" : f[1].equals("0") ? "stopped" : "failed";
            out.add(new Service(f[2], null, state, null));
        }
        return out;
    }
}
