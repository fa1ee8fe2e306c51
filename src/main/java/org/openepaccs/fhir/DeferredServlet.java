package org.openepaccs.fhir;

import java.io.IOException;
import java.util.function.Supplier;

import jakarta.servlet.GenericServlet;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;

/**
 * A servlet that takes its bean from the context only when the web server initialises it.
 * Spring Boot registers servlets while the embedded web server is created, before the
 * context has frozen its bean definitions; a servlet bean handed over then (HAPI's
 * {@code RestfulServer}, which pulls in every DAO, the validator and the interceptors) is
 * built at that point, and each of its thousands of injection points makes Spring match
 * types against every bean definition uncached. Given here, it is built with the other
 * singletons, once the definitions are frozen and those matches are cached; the web
 * server initialises its load-on-startup servlets after that, and Tomcat initialises a
 * servlet (once) before the first request it serves in any case.
 */
final class DeferredServlet extends GenericServlet {

	private static final long serialVersionUID = 1L;

	private final transient Supplier<? extends Servlet> bean;

	private transient volatile Servlet servlet;

	DeferredServlet(Supplier<? extends Servlet> bean) {
		this.bean = bean;
	}

	@Override
	public void init(ServletConfig config) throws ServletException {
		super.init(config);
		Servlet target = this.bean.get();
		target.init(config);
		this.servlet = target;
	}

	@Override
	public void service(ServletRequest request, ServletResponse response) throws ServletException, IOException {
		Servlet target = this.servlet;
		if (target == null) {
			throw new ServletException("The FHIR servlet has not been initialised yet");
		}
		target.service(request, response);
	}

	@Override
	public void destroy() {
		Servlet target = this.servlet;
		if (target != null) {
			target.destroy();
		}
	}

}
