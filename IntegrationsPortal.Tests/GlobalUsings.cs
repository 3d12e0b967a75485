global using IntegrationsPortal.Tests.Infrastructure;
global using Xunit;
global using IntegrationsPortal.Infrastructure;
global using System.Text.RegularExpressions;
global using Microsoft.EntityFrameworkCore;
global using IntegrationsPortal.Infrastructure.Security;
global using IntegrationsPortal.Kernel;
