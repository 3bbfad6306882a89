package io.pgbackup;

import java.util.List;

import org.apache.camel.CamelContext;
import org.apache.camel.dsl.yaml.YamlRoutesBuilderLoader;
import org.apache.camel.dsl.yaml.common.YamlDeserializationContext;
import org.apache.camel.dsl.yaml.deserializers.BeansDeserializer;
import org.apache.camel.dsl.yaml.deserializers.CustomResolver;
import org.apache.camel.dsl.yaml.deserializers.ModelDeserializersResolver;
import org.apache.camel.model.BeanFactoryDefinition;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Camel's YAML routes loader with the {@code beans:} of route files bound to be made on their first lookup instead
 * of when the file is read ({@link OneShotStart}). Camel 4.17 has the lazy binding ({@code Registry.bind} with a
 * memoized supplier, used when the bean post-processor's lazy-bean strategy says so) but only takes it for a bean
 * whose first attempt failed; this loader takes it for every bean. The bean is made as Camel makes it (its
 * properties, {@code #bean:} references and placeholders resolved then, Camel context given), once.
 */
final class LazyYamlBeans extends YamlRoutesBuilderLoader {

    /** Where Camel's routes loader looks for the loader of {@code .yaml} files before its own. */
    static final String REGISTRY_NAME = "routes-builder-loader-yaml";

    private final BeansDeserializer beans = new LazyBeansDeserializer();

    /** Binds the loader for {@code context}'s route files. */
    static void bind(CamelContext context) {
        PluginHelper.getBeanPostProcessor(context).setLazyBeanStrategy(annotation -> annotation == null);
        context.getRegistry().bind(REGISTRY_NAME, new LazyYamlBeans());
    }

    /**
     * Camel reads every YAML file once before the routes ("pre-parse": Kamelet pipes, and the beans made then, with
     * their first lookups during configuration in mind); pg-backup's files have no pipes, and their beans are bound
     * (lazily) when the file is loaded for its routes, before anything looks them up.
     */
    @Override
    public void preParseRoute(Resource resource) {
        // nothing before the routes: see above
    }

    @Override
    protected YamlDeserializationContext newYamlDeserializationContext(LoadSettings settings, Resource resource) {
        YamlDeserializationContext context = new YamlDeserializationContext(settings);
        context.setResource(resource);
        context.setCamelContext(getCamelContext());
        context.addResolvers(new CustomResolver(beans));
        context.addResolvers(new ModelDeserializersResolver());
        return context;
    }

    /** Every bean bound lazily: registered as Camel registers a bean whose first making is put off. */
    private static final class LazyBeansDeserializer extends BeansDeserializer {
        @Override
        protected void registerBean(CamelContext context, List<BeanFactoryDefinition<?>> delayed,
                BeanFactoryDefinition<?> bean, boolean delayIfFailed) {
            super.registerBean(context, delayed, bean, false);
        }
    }
}
