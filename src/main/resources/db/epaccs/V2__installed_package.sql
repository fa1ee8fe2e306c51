-- The conformance package each start found installed (conformance/ConformancePackageInstaller): a replica that
-- finds this very package (same content) installed skips installing it again.
CREATE TABLE EPACCS_INSTALLED_PACKAGE (PACKAGE_NAME VARCHAR(200) PRIMARY KEY, PACKAGE_VERSION VARCHAR(100) NOT NULL,
  CONTENT_SHA256 VARCHAR(64) NOT NULL, INSTALLED TIMESTAMP NOT NULL);
