package com.gururmm.agent.platform.windows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.AclEntry;
import java.nio.file.attribute.AclEntryPermission;
import java.nio.file.attribute.AclEntryType;
import java.nio.file.attribute.AclFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Lets the session user read the script of their command. The agent's work directory is
 * private to LocalSystem and administrators; each command has its own directory inside it,
 * and the user gets an allow entry for read (and, on the directory, traverse so it can be the
 * process's current directory) on that directory and its script only. No write access: the
 * user cannot alter the script, and other commands' directories stay closed to them. Reaching
 * a file by full path needs no rights on its parents (the "bypass traverse checking"
 * privilege every user has), so the parents' ACLs are left alone. The agent deletes the
 * directory when the command ends.
 */
@FunctionalInterface
public interface ScriptAccess {
    void grantRead(Path commandDir, Path script, String user) throws IOException;

    /** Allow-entry permissions: read data/list, attributes, ACL, and execute/traverse. */
    Set<AclEntryPermission> READ = EnumSet.of(AclEntryPermission.READ_DATA, AclEntryPermission.READ_ATTRIBUTES,
            AclEntryPermission.READ_NAMED_ATTRS, AclEntryPermission.READ_ACL, AclEntryPermission.EXECUTE,
            AclEntryPermission.SYNCHRONIZE);

    static AclEntry readEntry(UserPrincipal user) {
        return AclEntry.newBuilder().setType(AclEntryType.ALLOW).setPrincipal(user).setPermissions(READ).build();
    }

    /** The real thing, through the JDK's Windows ACL support. */
    static ScriptAccess acls() {
        return (commandDir, script, user) -> {
            UserPrincipal principal = commandDir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(user);
            for (Path path : List.of(commandDir, script)) {
                AclFileAttributeView view = Files.getFileAttributeView(path, AclFileAttributeView.class);
                if (view == null) {
                    throw new IOException("the file system of " + path + " has no ACLs");
                }
                List<AclEntry> acl = new ArrayList<>(view.getAcl());
                acl.addFirst(readEntry(principal));
                view.setAcl(acl);
            }
        };
    }
}
