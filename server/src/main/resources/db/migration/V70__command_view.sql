-- SPEC section 7: commands see the host by default; one may ask to stay in the agent's sandbox.
-- requested_view: what the submitter asked for (NULL = host, the default); result_view: the view
-- the process actually had, as the agent reported it (NULL until the result, or from older agents).
ALTER TABLE commands ADD COLUMN requested_view VARCHAR(16);
ALTER TABLE commands ADD COLUMN result_view VARCHAR(16);
