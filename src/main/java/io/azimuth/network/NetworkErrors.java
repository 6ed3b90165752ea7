package io.azimuth.network;

import io.azimuth.arm.ArmErrors;
import io.azimuth.http.ApiException;

/**
 * The refusals of Microsoft.Network, by the codes and in the words the Network resource provider answers with (as its
 * error responses are seen by clients: Azure CLI, PowerShell, Terraform and the SDKs quote them).
 */
final class NetworkErrors {
    private NetworkErrors() {
    }

    static ApiException prefixFormat(String prefix, String resourceId, String field) {
        return ArmErrors.badRequest("InvalidAddressPrefixFormat", "Address prefix " + prefix + " of resource "
                + resourceId + " is not formatted correctly. It should follow CIDR notation, for example 10.0.0.0/24.",
                field);
    }

    static ApiException cidrNotation(String prefix, String resourceId, Cidr aligned, String field) {
        return ArmErrors.badRequest("InvalidCIDRNotation", "The address prefix " + prefix + " in resource "
                + resourceId + " has an invalid CIDR notation. For the given prefix length, the address prefix should be "
                + aligned + ".", field);
    }

    static ApiException invalidSubnet(String subnet, String vnet, String field) {
        return ArmErrors.badRequest("NetcfgInvalidSubnet", "Subnet '" + subnet + "' is not valid in virtual network '"
                + vnet + "'.", field);
    }

    static ApiException subnetOutsideVnet(String subnet, String vnet, String field) {
        return ArmErrors.badRequest("NetcfgSubnetRangeOutsideVnet", "Subnet '" + subnet + "' is not valid because its "
                + "IP address range is outside the IP address range of virtual network '" + vnet + "'.", field);
    }

    static ApiException subnetsOverlap(String subnet, String vnet, String field) {
        return ArmErrors.badRequest("NetcfgSubnetRangesOverlap", "Subnet '" + subnet + "' is not valid because its IP "
                + "address range overlaps with that of an existing subnet in virtual network '" + vnet + "'.", field);
    }

    static ApiException subnetInUse(String subnet, String user) {
        return ArmErrors.badRequest("InUseSubnetCannotBeDeleted", "Subnet " + subnet + " is in use by " + user
                + " and cannot be deleted. In order to delete the subnet, delete all the resources within the subnet. "
                + "See aka.ms/deletesubnet.", null);
    }

    /** A reference to a resource that does not exist (or not in the referrer's region). */
    static ApiException invalidReference(String target, String referrer, String field) {
        return ArmErrors.badRequest("InvalidResourceReference", "Resource " + target + " referenced by resource "
                + referrer + " was not found. Please make sure that the referenced resource exists, and that both "
                + "resources are in the same region.", field);
    }

    static ApiException publicIpInUse(String pip, String user) {
        return ArmErrors.badRequest("PublicIPAddressInUse", "Public IP address " + pip + " can not be deleted since it "
                + "is still allocated to resource " + user + ". In order to delete the public IP, disassociate/detach "
                + "the Public IP address from the resource. To learn how to do this, see aka.ms/deletepublicip.", null);
    }

    static ApiException publicIpAlreadyAllocated(String ipConfiguration, String pip, String user, String field) {
        return ArmErrors.badRequest("PublicIPAddressInUse", "Resource " + ipConfiguration + " is referencing public IP "
                + "address " + pip + " that is already allocated to resource " + user + ".", field);
    }

    static ApiException nicInUse(String nic, String user) {
        return ArmErrors.badRequest("NicInUse", "Network Interface " + nic + " is used by existing resource " + user
                + ". In order to delete the network interface, it must be dissociated from the resource. To learn more, "
                + "see aka.ms/deletenic.", null);
    }

    static ApiException nsgInUse(String nsg, String user) {
        return ArmErrors.badRequest("InUseNetworkSecurityGroupCannotBeDeleted", "Network security group " + nsg
                + " cannot be deleted because it is in use by the following resources: " + user + ". In order to delete "
                + "the Network security group, remove the association with the resource(s). To learn how to do this, "
                + "see aka.ms/deletensg.", null);
    }
}
