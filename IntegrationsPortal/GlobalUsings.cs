global using Microsoft.EntityFrameworkCore.Metadata.Builders;
global using Microsoft.EntityFrameworkCore;
global using IntegrationsPortal.Infrastructure;
global using IntegrationsPortal.Infrastructure.Security;
global using IntegrationsPortal.Kernel;
